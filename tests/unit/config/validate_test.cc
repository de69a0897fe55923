#include "config/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace pxed::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> errors_of(std::string_view toml) {
  auto r = load_config_string(toml, "t.toml");
  std::vector<std::string> out;
  if (!r) {
    for (const ConfigError& e : r.error()) out.push_back(e.to_string());
  }
  return out;
}

std::vector<std::string> strings(const ConfigErrors& errors) {
  std::vector<std::string> out;
  for (const ConfigError& e : errors) out.push_back(e.to_string());
  return out;
}

// The first lines of every config below; a subnet follows at line 3.
constexpr std::string_view kHead = "interfaces = [\"br0\"]\nroot = \"/srv/pxed\"\n";

std::vector<std::string> errors_with_head(std::string_view rest) {
  return errors_of(std::string(kHead) + std::string(rest));
}

Ipv4 ip(std::string_view s) {
  return *Ipv4::parse(s);
}

// What `pxed serve --interface br0 --root /srv --dhcp-range A-B` would build.
Config flags_config() {
  Config c;
  c.interfaces = {"br0"};
  c.root = "/srv/pxed";
  Subnet s;
  s.network = Ipv4Network{ip("198.18.0.0"), ip("255.255.255.0")};
  s.interfaces = {"br0"};
  s.pools.push_back({ip("198.18.0.100"), ip("198.18.0.200")});
  c.dhcp.subnets.push_back(s);
  c.boot.boot_files[0] = "pxelinux.0";
  return c;
}

TEST(ConfigValidate, FlagsOnlyConfigPasses) {
  EXPECT_THAT(strings(validate(flags_config())), IsEmpty());
}

TEST(ConfigValidate, FlagsOnlyErrorsNameTheKeyWithoutAPosition) {
  Config c = flags_config();
  c.interfaces.clear();
  c.root.clear();
  c.dhcp.subnets[0].pools[0] = {ip("198.18.0.200"), ip("198.18.0.100")};
  c.dhcp.options.push_back(OptionValue{51, {0, 0, 0, 1}, {}});
  EXPECT_THAT(
      strings(validate(c)),
      ElementsAre("interfaces: at least one interface to serve is required",
                  "root: the directory to serve over TFTP and HTTP is required",
                  "dhcp.options.lease-time: option 51 (lease-time) is set by the server; "
                  "use lease-time in [dhcp] or in the subnet",
                  "dhcp.subnet[0].interfaces[0]: interface \"br0\" is not in the "
                  "top-level interfaces list",
                  "dhcp.subnet[0].pools[0]: 198.18.0.200-198.18.0.100 starts after it ends"));
}

TEST(ConfigValidate, OptionDataIsCheckedAgainstItsType) {
  Config c = flags_config();
  c.dhcp.options.push_back(OptionValue{3, {1, 2, 3}, {}});
  c.dhcp.options.push_back(OptionValue{0, {}, {}});
  EXPECT_THAT(strings(validate(c)),
              ElementsAre("dhcp.options.routers: expected a list of IPv4 addresses: expected a "
                          "multiple of 4 bytes, got 3 bytes",
                          "dhcp.options.option-0: option 0 is framing, not an option that can be "
                          "configured"));
}

TEST(ConfigValidate, DhcpDisabledNeedsNoSubnet) {
  Config c = flags_config();
  c.dhcp.subnets.clear();
  EXPECT_EQ(validate(c).size(), 1u);
  c.dhcp.enabled = false;
  EXPECT_TRUE(validate(c).empty());
}

TEST(ConfigValidate, TopLevel) {
  EXPECT_THAT(
      errors_of("[dhcp]\nenabled = false\n"),
      ElementsAre("t.toml:1:1: interfaces: at least one interface to serve is required",
                  "t.toml:1:1: root: the directory to serve over TFTP and HTTP is required"));
  EXPECT_THAT(errors_of("interfaces = [\"br0\", \"br0\", \"a/b\"]\nroot = \"/x\"\n"
                        "[dhcp]\nenabled = false\n"),
              ElementsAre("t.toml:1:22: interfaces[1]: \"br0\" is listed twice",
                          "t.toml:1:29: interfaces[2]: expected an interface name (1 to 15 "
                          "characters, no '/', ':' or spaces), got \"a/b\""));
  EXPECT_THAT(errors_with_head("[dhcp]\nlease-time = 600\n"),
              ElementsAre("t.toml:3:1: dhcp.subnet: at least one [[dhcp.subnet]] is required when "
                          "DHCP is enabled"));
}

TEST(ConfigValidate, NetworkMustBeAlignedAndHaveRoom) {
  EXPECT_THAT(errors_with_head("[[dhcp.subnet]]\nnetwork = \"198.18.0.5/24\"\n"),
              ElementsAre("t.toml:4:11: dhcp.subnet[0].network: 198.18.0.5/24 is not a network "
                          "address; the network is 198.18.0.0/24"));
  EXPECT_THAT(errors_with_head("[[dhcp.subnet]]\nnetwork = \"198.18.0.4/31\"\n"),
              ElementsAre("t.toml:4:11: dhcp.subnet[0].network: 198.18.0.4/31 has no addresses to "
                          "hand out; use a prefix of /30 or shorter"));
}

TEST(ConfigValidate, SubnetsMustNotOverlap) {
  EXPECT_THAT(errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
[[dhcp.subnet]]
network = "198.19.0.0/24"
[[dhcp.subnet]]
network = "198.18.0.0/23"
)"),
              ElementsAre("t.toml:8:11: dhcp.subnet[2].network: 198.18.0.0/23 overlaps "
                          "dhcp.subnet[0] (198.18.0.0/24)"));
}

TEST(ConfigValidate, SubnetInterfacesMustBeServed) {
  EXPECT_THAT(errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["br0", "eth1"]
)"),
              ElementsAre("t.toml:5:22: dhcp.subnet[0].interfaces[1]: interface \"eth1\" is not in "
                          "the top-level interfaces list"));
}

TEST(ConfigValidate, Pools) {
  EXPECT_THAT(
      errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
pools = ["198.18.0.200-198.18.0.100", "198.18.1.1-198.18.1.9", "198.18.0.0-198.18.0.9",
         "198.18.0.250-198.18.0.255", "198.18.0.20-198.18.0.30", "198.18.0.30-198.18.0.40"]
[[dhcp.subnet]]
network = "198.19.0.0/24"
pools = ["198.19.0.10-198.19.0.20", "198.19.0.15"]
)"),
      ElementsAre(
          "t.toml:5:10: dhcp.subnet[0].pools[0]: 198.18.0.200-198.18.0.100 starts after it ends",
          "t.toml:5:39: dhcp.subnet[0].pools[1]: 198.18.1.1-198.18.1.9 is outside the subnet "
          "198.18.0.0/24",
          "t.toml:5:64: dhcp.subnet[0].pools[2]: 198.18.0.0-198.18.0.9 includes the network "
          "address 198.18.0.0",
          "t.toml:6:10: dhcp.subnet[0].pools[3]: 198.18.0.250-198.18.0.255 includes the broadcast "
          "address 198.18.0.255",
          "t.toml:6:66: dhcp.subnet[0].pools[5]: 198.18.0.30-198.18.0.40 overlaps "
          "dhcp.subnet[0].pools[4] (198.18.0.20-198.18.0.30)",
          "t.toml:9:37: dhcp.subnet[1].pools[1]: expected START-END with two IPv4 addresses, got "
          "\"198.19.0.15\""));
}

TEST(ConfigValidate, PoolsMustNotOverlapAcrossSubnets) {
  // Only possible when a subnet is itself invalid; the pools are still checked against each other.
  Config c = flags_config();
  Subnet other = c.dhcp.subnets[0];
  other.network = Ipv4Network{ip("198.18.0.0"), ip("255.255.255.128")};
  other.interfaces.clear();
  other.pools = {{ip("198.18.0.120"), ip("198.18.0.126")}};
  c.dhcp.subnets.push_back(other);
  EXPECT_THAT(strings(validate(c)),
              ElementsAre("dhcp.subnet[1].network: 198.18.0.0/25 overlaps dhcp.subnet[0] "
                          "(198.18.0.0/24)",
                          "dhcp.subnet[1].pools[0]: 198.18.0.120-198.18.0.126 overlaps "
                          "dhcp.subnet[0].pools[0] (198.18.0.100-198.18.0.200)"));
}

TEST(ConfigValidate, Exclusions) {
  EXPECT_THAT(errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.200"]
exclude = ["198.18.0.150", "198.18.0.160-198.18.0.155", "198.18.3.1", "198.18.0.0"]
)"),
              ElementsAre("t.toml:6:28: dhcp.subnet[0].exclude[1]: 198.18.0.160-198.18.0.155 "
                          "starts after it ends",
                          "t.toml:6:57: dhcp.subnet[0].exclude[2]: 198.18.3.1 is outside the "
                          "subnet 198.18.0.0/24"));
}

TEST(ConfigValidate, ReservationIdentity) {
  EXPECT_THAT(errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
[[dhcp.subnet.reservation]]
address = "198.18.0.10"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:01"
client-id = "01:52:54:00:e2:e0:01"
address = "198.18.0.11"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:03"
)"),
              ElementsAre("t.toml:5:1: dhcp.subnet[0].reservation[0]: a reservation needs a mac or "
                          "a client-id to match the client",
                          "t.toml:7:1: dhcp.subnet[0].reservation[1]: give either mac or "
                          "client-id, not both",
                          "t.toml:11:1: dhcp.subnet[0].reservation[2]: sets nothing; give "
                          "address, hostname, boot-file or options"));
}

TEST(ConfigValidate, ReservationAddresses) {
  EXPECT_THAT(errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:01"
address = "198.18.1.10"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:02"
address = "198.18.0.0"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:03"
address = "198.18.0.255"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:04"
address = "198.18.0.10"
hostname = "bad host"
[[dhcp.subnet]]
network = "198.19.0.0/24"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:04"
client-id = "text:node"
[[dhcp.subnet.reservation]]
client-id = "6e:6f:64:65"
address = "198.19.0.1"
)"),
              ElementsAre("t.toml:7:11: dhcp.subnet[0].reservation[0].address: 198.18.1.10 is "
                          "outside the subnet 198.18.0.0/24",
                          "t.toml:10:11: dhcp.subnet[0].reservation[1].address: 198.18.0.0 is the "
                          "network address of the subnet",
                          "t.toml:13:11: dhcp.subnet[0].reservation[2].address: 198.18.0.255 is "
                          "the broadcast address of the subnet",
                          "t.toml:17:12: dhcp.subnet[0].reservation[3].hostname: expected a host "
                          "name (letters, digits, '-', '.'), got \"bad host\"",
                          "t.toml:20:1: dhcp.subnet[1].reservation[0]: give either mac or "
                          "client-id, not both",
                          "t.toml:20:1: dhcp.subnet[1].reservation[0]: sets nothing; give "
                          "address, hostname, boot-file or options",
                          "t.toml:21:7: dhcp.subnet[1].reservation[0].mac: 52:54:00:e2:e0:04 "
                          "already has a reservation: dhcp.subnet[0].reservation[3]",
                          "t.toml:24:13: dhcp.subnet[1].reservation[1].client-id: client-id "
                          "6e:6f:64:65 already has a reservation: dhcp.subnet[1].reservation[0]"));
}

TEST(ConfigValidate, ReservedAddressesAreUniqueAcrossTheConfig) {
  EXPECT_THAT(errors_with_head(R"([[dhcp.subnet]]
network = "198.18.0.0/24"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:01"
address = "198.18.0.10"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:02"
address = "198.18.0.10"
)"),
              ElementsAre("t.toml:10:11: dhcp.subnet[0].reservation[1].address: 198.18.0.10 is "
                          "already reserved by dhcp.subnet[0].reservation[0]"));
}

TEST(ConfigValidate, LeaseTimes) {
  EXPECT_THAT(errors_with_head(R"([dhcp]
lease-time = 59
[[dhcp.subnet]]
network = "198.18.0.0/24"
lease-time = 31536001
)"),
              ElementsAre("t.toml:4:14: dhcp.lease-time: expected 60 to 31536000 seconds, got 59",
                          "t.toml:7:14: dhcp.subnet[0].lease-time: expected 60 to 31536000 "
                          "seconds, got 31536001"));
}

TEST(ConfigValidate, RenewBeforeRebindBeforeLease) {
  EXPECT_THAT(errors_with_head(R"([dhcp]
lease-time = 3600
renew-time = 2000
rebind-time = 1800
[[dhcp.subnet]]
network = "198.18.0.0/24"
lease-time = 600
rebind-time = 600
[[dhcp.subnet]]
network = "198.19.0.0/24"
renew-time = 3500
[[dhcp.subnet]]
network = "198.20.0.0/24"
lease-time = 600
renew-time = 550
)"),
              ElementsAre("t.toml:5:14: dhcp.renew-time: must be less than rebind-time (1800 s), "
                          "got 2000",
                          "t.toml:10:15: dhcp.subnet[0].rebind-time: must be less than the lease "
                          "time (600 s), got 600",
                          "t.toml:13:14: dhcp.subnet[1].renew-time: must be less than rebind-time "
                          "(1800 s), got 3500",
                          "t.toml:17:14: dhcp.subnet[2].renew-time: must be less than the default "
                          "rebind-time (7/8 of the lease time: 525 s), got 550"));
}

TEST(ConfigValidate, LeaseTimesHelperInheritsSensibly) {
  DhcpConfig d;
  d.lease_time = 3600;
  d.renew_time = 1000;
  Subnet plain;
  LeaseTimes t = lease_times(d, plain);
  EXPECT_EQ(t.lease, 3600u);
  EXPECT_EQ(t.renew, 1000u);
  EXPECT_EQ(t.rebind, 3150u);
  Subnet own;
  own.lease_time = 600;
  t = lease_times(d, own);  // its own lease time: T1/T2 derive from it, not from [dhcp]
  EXPECT_EQ(t.lease, 600u);
  EXPECT_EQ(t.renew, 300u);
  EXPECT_EQ(t.rebind, 525u);
}

TEST(ConfigValidate, TftpAndHttpLimits) {
  EXPECT_THAT(errors_with_head(R"([dhcp]
enabled = false
[tftp]
port = 0
max-blksize = 7
max-windowsize = 65
[http]
port = 0
max-connections = 0
)"),
              ElementsAre("t.toml:6:8: tftp.port: expected a port from 1 to 65535, got 0",
                          "t.toml:7:15: tftp.max-blksize: expected 8 to 65464 bytes, got 7",
                          "t.toml:8:18: tftp.max-windowsize: expected 1 to 64 blocks, got 65",
                          "t.toml:10:8: http.port: expected a port from 1 to 65535, got 0",
                          "t.toml:11:19: http.max-connections: expected at least 1, got 0"));
  // Disabled services are not checked.
  EXPECT_THAT(errors_with_head("[dhcp]\nenabled = false\n[tftp]\nenabled = false\nport = 0\n"),
              IsEmpty());
}

TEST(ConfigValidate, OtherDhcpLimits) {
  EXPECT_THAT(errors_with_head(R"([dhcp]
offer-hold = 0
decline-quarantine = 31536001
lease-db = ""
expired-lease-retention = 31536001
[[dhcp.subnet]]
network = "198.18.0.0/24"
)"),
              ElementsAre("t.toml:4:14: dhcp.offer-hold: expected 1 to 3600 seconds, got 0",
                          "t.toml:5:22: dhcp.decline-quarantine: expected 0 to 31536000 seconds, "
                          "got 31536001",
                          "t.toml:6:12: dhcp.lease-db: the lease database path is required",
                          "t.toml:7:27: dhcp.expired-lease-retention: expected 0 to 31536000 "
                          "seconds, got 31536001"));
}

TEST(ConfigValidate, TftpLimitsAndPortRange) {
  for (const char* bad : {"\"100\"", "\"200-100\"", "\"0-10\"", "\"1-65536\"", "\"a-b\""}) {
    EXPECT_THAT(errors_with_head(std::string("[dhcp]\nenabled = false\n[tftp]\nport-range = ") +
                                 bad + "\n"),
                ElementsAre("t.toml:6:14: tftp.port-range: expected FIRST-LAST with two ports "
                            "from 1 to 65535, FIRST <= LAST, got " +
                            std::string(bad)))
        << bad;
  }
  EXPECT_THAT(errors_with_head("[dhcp]\nenabled = false\n[tftp]\nmax-transfers = 0\n"
                               "max-transfers-per-client = 0\nport-range = \"50000-50000\"\n"),
              ElementsAre("t.toml:6:17: tftp.max-transfers: expected at least 1, got 0",
                          "t.toml:7:28: tftp.max-transfers-per-client: expected at least 1, got 0"));
}

TEST(ConfigValidate, UploadDirMustBeAbsoluteAndApartFromTheRoot) {
  auto with = [](const char* dir) {
    return errors_with_head(std::string("[dhcp]\nenabled = false\n[tftp]\nupload-dir = \"") +
                            dir + "\"\n");
  };
  EXPECT_THAT(with("/var/lib/pxed/uploads"), IsEmpty());
  EXPECT_THAT(with("/srv/pxed/up"),
              ElementsAre("t.toml:6:14: tftp.upload-dir: expected a directory apart from the "
                          "served root (uploads are never served), got \"/srv/pxed/up\""));
  EXPECT_THAT(with("/srv"), ElementsAre(testing::HasSubstr("apart from the served root")));
  EXPECT_THAT(with("/srv/pxed/"), ElementsAre(testing::HasSubstr("apart from the served root")));
  EXPECT_THAT(with("up"), ElementsAre(testing::HasSubstr("expected an absolute path")));
}

TEST(ConfigValidate, EmptyBootFile) {
  EXPECT_THAT(errors_with_head("[dhcp]\nenabled = false\n[boot.files]\nefi64 = \"\"\n"),
              ElementsAre("t.toml:6:9: boot.files.7: expected a file name or URL, got an empty "
                          "string",
                          "t.toml:6:9: boot.files.9: expected a file name or URL, got an empty "
                          "string"));
}

}  // namespace
}  // namespace pxed::config
