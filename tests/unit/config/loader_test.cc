#include "config/loader.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <gmock/gmock.h>
#include <fstream>

#include <gtest/gtest.h>

#include "config/validate.h"

namespace pxed::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kExample = PXED_SOURCE_DIR "/examples/pxed.toml";

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

Config load_ok(std::string_view toml) {
  auto r = load_config_string(toml, "t.toml");
  if (!r) {
    for (const ConfigError& e : r.error()) ADD_FAILURE() << e.to_string();
    return {};
  }
  return *r;
}

// Loads with no errors, and every key of the example reaches the Config.
TEST(ConfigLoader, ExampleFileLoadsWithNoErrors) {
  auto r = load_config_file(kExample);
  if (!r) {
    for (const ConfigError& e : r.error()) ADD_FAILURE() << e.to_string();
    return;
  }
  const Config& c = *r;
  EXPECT_EQ(c.source, kExample);
  EXPECT_EQ(c.interfaces, std::vector<std::string>{"br0"});
  EXPECT_EQ(c.root, "/srv/pxed");
  EXPECT_TRUE(c.dhcp.enabled);
  EXPECT_EQ(c.dhcp.lease_time, 3600u);
  EXPECT_FALSE(c.dhcp.renew_time);
  EXPECT_EQ(c.dhcp.lease_db, "/var/lib/pxed/leases.db");
  ASSERT_EQ(c.dhcp.options.size(), 3u);
  ASSERT_EQ(c.dhcp.subnets.size(), 2u);
  const Subnet& s = c.dhcp.subnets[0];
  EXPECT_EQ(s.network.address.to_string(), "198.18.0.0");
  EXPECT_EQ(s.network.netmask.to_string(), "255.255.255.0");
  EXPECT_EQ(s.interfaces, std::vector<std::string>{"br0"});
  ASSERT_EQ(s.pools.size(), 2u);
  EXPECT_EQ(s.pools[1].start.to_string(), "198.18.0.160");
  EXPECT_EQ(s.pools[1].end.to_string(), "198.18.0.200");
  ASSERT_EQ(s.exclusions.size(), 2u);
  EXPECT_EQ(s.exclusions[0].size(), 1u);
  EXPECT_EQ(s.exclusions[1].size(), 3u);
  EXPECT_TRUE(s.match_mac_only);
  EXPECT_EQ(s.lease_time, 1800u);
  ASSERT_EQ(s.reservations.size(), 2u);
  EXPECT_EQ(s.reservations[0].mac->to_string(), "52:54:00:e2:e0:01");
  EXPECT_EQ(s.reservations[0].address->to_string(), "198.18.0.10");
  EXPECT_EQ(s.reservations[0].hostname, "node1");
  EXPECT_EQ(s.reservations[0].boot_file, "ipxe.efi");
  ASSERT_EQ(s.reservations[0].options.size(), 1u);
  EXPECT_EQ(s.reservations[0].options[0].code, 12);
  EXPECT_EQ(*s.reservations[1].client_id, (Bytes{1, 0x52, 0x54, 0, 0xe2, 0xe0, 2}));
  EXPECT_TRUE(c.dhcp.subnets[1].interfaces.empty());
  EXPECT_EQ(c.tftp.port, 69);
  EXPECT_EQ(c.tftp.max_blksize, 65464);
  EXPECT_EQ(c.http.max_connections, 512u);
  EXPECT_EQ(c.http.max_requests_per_connection, 1000u);
  EXPECT_EQ(c.http.idle_timeout, 30u);
  EXPECT_EQ(c.http.header_timeout, 10u);
  EXPECT_EQ(c.boot.ipxe_boot_file, "http://198.18.0.1/boot.ipxe");
  EXPECT_EQ(c.boot.boot_files.at(0), "undionly.kpxe");
  EXPECT_EQ(c.boot.boot_files.at(7), "ipxe.efi");
  EXPECT_EQ(c.boot.boot_files.at(9), "ipxe.efi");
  EXPECT_EQ(c.boot.boot_files.at(11), "grubnetaa64.efi");
  EXPECT_EQ(c.boot.boot_files.at(16), "http://198.18.0.1/ipxe.efi");
  EXPECT_EQ(c.boot.default_profile, "debian");
  ASSERT_EQ(c.boot.profiles.size(), 3u);
  const boot::Profile& d = c.boot.profiles[0];
  EXPECT_EQ(d.name, "debian");
  EXPECT_EQ(d.loader, boot::LoaderKind::ipxe);
  EXPECT_EQ(d.loader_files.at(7), "snponly.efi");
  EXPECT_EQ(d.loader_files.at(9), "snponly.efi");
  EXPECT_EQ(d.kernel, "debian/vmlinuz");
  EXPECT_EQ(d.initrds, std::vector<std::string>{"debian/initrd.gz"});
  EXPECT_EQ(c.boot.profiles[1].loader, boot::LoaderKind::pxelinux);
  EXPECT_EQ(c.boot.profiles[2].loader, boot::LoaderKind::grub);
  ASSERT_EQ(c.boot.rules.size(), 3u);
  EXPECT_EQ(c.boot.rules[0].match.arch, (std::vector<std::uint16_t>{11, 19}));
  EXPECT_EQ(c.boot.rules[0].profile, "arm");
  EXPECT_EQ(c.boot.rules[1].match.mac_prefix, (Bytes{0x52, 0x54, 0x01}));
  EXPECT_EQ(c.boot.rules[2].match.labels, std::vector<std::string>{"rescue"});
}

// What the loader itself finds (before the whole config is validated).
std::vector<std::string> load_errors_of(std::string_view toml, std::string_view name = "t.toml") {
  auto r = parse_config_string(toml, name);
  return r ? std::vector<std::string>{} : strings(r.error());
}

TEST(ConfigLoader, BootProfilesAndRulesAreChecked) {
  EXPECT_THAT(load_errors_of(R"(
[boot]
default-profile = "nope"
[[boot.profile]]
name = "a b"
kernel = "k"
loader = "lilo"
cmdline = "x={{kernal}}"
[[boot.profile]]
name = "ok"
[[boot.rule]]
mac-prefix = "52:54:00:00:00:00:00"
uuid = "123"
arch = ["mips"]
profile = "missing"
[[boot.rule]]
hostname = "x"
)"),
              ElementsAre(
                  "t.toml:3:19: boot.default-profile: no [[boot.profile]] is named \"nope\"; "
                  "configured: a b, ok",
                  "t.toml:5:8: boot.profile[0].name: expected a name of letters, digits, '.', '_' "
                  "and '-', got \"a b\"",
                  "t.toml:7:10: boot.profile[0].loader: expected \"ipxe\", \"pxelinux\" or "
                  "\"grub\", got \"lilo\"",
                  "t.toml:8:11: boot.profile[0].cmdline: line 1: unknown name {{kernal}}; known: "
                  "arch, arch_name, cmdline, hostname, http, http_port, initrd_csv, initrd_names, "
                  "initrd_paths, initrd_urls, initrds, ip, kernel, kernel_path, kernel_url, mac, "
                  "mac_dashes, profile, rootfs_url, server",
                  "t.toml:9:1: boot.profile[1]: a profile needs a kernel (a path below the root, "
                  "or a URL)",
                  "t.toml:12:14: boot.rule[0].mac-prefix: expected the first bytes of a MAC "
                  "address, like \"52:54:00\", got \"52:54:00:00:00:00:00\"",
                  "t.toml:13:8: boot.rule[0].uuid: expected a UUID like "
                  "\"4c4c4544-0042-3510-8056-b4c04f4a3032\", got \"123\"",
                  "t.toml:14:9: boot.rule[0].arch: expected bios, efi32, efi64, arm32, arm64, ... "
                  "or an option 93 number, got \"mips\"",
                  "t.toml:15:11: boot.rule[0].profile: no [[boot.profile]] is named \"missing\"; "
                  "configured: a b, ok",
                  "t.toml:16:1: boot.rule[1]: a rule needs the profile it gives (profile = "
                  "\"...\")"));
}

TEST(ConfigLoader, ProfileTemplateFilesAreReadAndCheckedAtLoad) {
  char tmpl[] = "/tmp/pxed-tpl-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  {
    std::FILE* f = std::fopen((dir + "/good.ipxe").c_str(), "w");
    std::fputs("#!ipxe\nchain {{http}}/x?mac={{mac}}\n", f);
    std::fclose(f);
    f = std::fopen((dir + "/bad.cfg").c_str(), "w");
    std::fputs("ok\n\nLABEL {{profil}}\n", f);
    std::fclose(f);
  }
  std::string toml = R"(
[[boot.profile]]
name = "p"
kernel = "k"
templates = { ipxe = "good.ipxe", pxelinux = "bad.cfg", grub = "missing.cfg" }
)";
  std::vector<std::string> errors = load_errors_of(toml, dir + "/pxed.toml");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], HasSubstr(dir + "/bad.cfg:3:0: unknown name {{profil}}"));
  EXPECT_THAT(errors[0], HasSubstr("(the template of boot.profile[0].templates.pxelinux)"));
  EXPECT_THAT(errors[1], HasSubstr("boot.profile[0].templates.grub: cannot read " + dir +
                                   "/missing.cfg: No such file or directory"));
  std::string fixed = R"(
[[boot.profile]]
name = "p"
kernel = "k"
templates = { ipxe = "good.ipxe" }
)";
  auto ok = parse_config_string(fixed, dir + "/pxed.toml");
  ASSERT_TRUE(ok);
  ASSERT_TRUE(ok->config.boot.profiles[0].ipxe_template);
  std::filesystem::remove_all(dir);
}

TEST(ConfigLoader, MinimalConfigKeepsTheDefaults) {
  Config c = load_ok(R"(interfaces = "br0"
root = "/srv/pxed"
[[dhcp.subnet]]
network = "198.18.0.0/24"
)");
  EXPECT_EQ(c.interfaces, std::vector<std::string>{"br0"});
  EXPECT_EQ(c.dhcp.lease_time, 3600u);
  EXPECT_TRUE(c.dhcp.authoritative);
  EXPECT_EQ(c.dhcp.offer_hold, 60u);
  EXPECT_EQ(c.tftp.port, 69);
  EXPECT_EQ(c.http.port, 80);
  EXPECT_TRUE(c.boot.boot_files.empty());
  ASSERT_EQ(c.dhcp.subnets.size(), 1u);
  EXPECT_TRUE(c.dhcp.subnets[0].pools.empty());
  EXPECT_EQ(c.dhcp.subnets[0].pos.line, 3);
}

TEST(ConfigLoader, MissingFileSaysWhy) {
  auto r = load_config_file("/nonexistent/pxed.toml");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(),
            "/nonexistent/pxed.toml: cannot read the config file: No such file or directory");
}

TEST(ConfigLoader, SyntaxErrorHasItsPosition) {
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp
lease-time = 600
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], testing::StartsWith("t.toml:3:"));
  EXPECT_THAT(errors[0], HasSubstr("invalid TOML: "));

  errors = errors_of("interfaces = [\"br0\"]\nroot = \"/a\"\nroot = \"/b\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], testing::StartsWith("t.toml:3:"));
  EXPECT_THAT(errors[0], HasSubstr("redefine"));
}

TEST(ConfigLoader, UnknownKeysAreErrorsWithASuggestion) {
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
lease-tme = 600
[[dhcp.subnet]]
network = "198.18.0.0/24"
pool = ["198.18.0.100-198.18.0.200"]
[tftp]
colour = "blue"
)");
  EXPECT_THAT(errors,
              ElementsAre("t.toml:4:1: dhcp.lease-tme: unknown key; did you mean \"lease-time\"?",
                          "t.toml:7:1: dhcp.subnet[0].pool: unknown key; did you mean \"pools\"?",
                          "t.toml:9:1: tftp.colour: unknown key"));
}

TEST(ConfigLoader, WrongTypes) {
  auto errors = errors_of(R"(interfaces = ["br0", 7]
root = "/srv/pxed"
[dhcp]
lease-time = "3600"
authoritative = "yes"
subnet = { network = "198.18.0.0/24" }
[tftp]
port = 70000
[http]
port = -1
)");
  EXPECT_THAT(
      errors,
      ElementsAre("t.toml:1:22: interfaces[1]: expected a string, got 7",
                  "t.toml:4:14: dhcp.lease-time: expected 60 to 31536000 seconds, got \"3600\"",
                  "t.toml:5:17: dhcp.authoritative: expected true or false, got \"yes\"",
                  "t.toml:6:10: dhcp.subnet: expected tables written [[dhcp.subnet]], got "
                  "a table",
                  "t.toml:8:8: tftp.port: expected a port from 1 to 65535, got 70000",
                  "t.toml:10:8: http.port: expected a port from 1 to 65535, got -1"));
}

TEST(ConfigLoader, HttpConnectionLimits) {
  const std::string base =
      "interfaces = [\"br0\"]\nroot = \"/srv/pxed\"\n[[dhcp.subnet]]\n"
      "network = \"198.18.0.0/24\"\n[http]\n";
  Config defaults = load_ok(base);
  EXPECT_EQ(defaults.http.max_requests_per_connection, 1000u);
  EXPECT_EQ(defaults.http.idle_timeout, 30u);
  EXPECT_EQ(defaults.http.header_timeout, 10u);

  Config c = load_ok(base +
                     "max-requests-per-connection = 0\nidle-timeout = 5\nheader-timeout = 3600\n");
  EXPECT_EQ(c.http.max_requests_per_connection, 0u);
  EXPECT_EQ(c.http.idle_timeout, 5u);
  EXPECT_EQ(c.http.header_timeout, 3600u);

  EXPECT_THAT(errors_of(base + "idle-timeout = 0\nheader-timeout = 3601\n"
                               "max-requests-per-connection = -1\n"),
              ElementsAre("t.toml:6:16: http.idle-timeout: expected 1 to 3600 seconds, got 0",
                          "t.toml:7:18: http.header-timeout: expected 1 to 3600 seconds, got 3601",
                          "t.toml:8:31: http.max-requests-per-connection: expected an integer "
                          "from 0 to 4294967295, got -1"));
}

TEST(ConfigLoader, HttpThreads) {
  const std::string base =
      "interfaces = [\"br0\"]\nroot = \"/srv/pxed\"\n[[dhcp.subnet]]\n"
      "network = \"198.18.0.0/24\"\n[http]\n";
  EXPECT_EQ(load_ok(base).http.threads, 0u);  // the server picks
  EXPECT_EQ(load_ok(base + "threads = 3\n").http.threads, 3u);
  EXPECT_EQ(load_ok(base + "threads = 64\n").http.threads, 64u);
  EXPECT_THAT(errors_of(base + "threads = 65\n"),
              ElementsAre("t.toml:6:11: http.threads: expected 0 (min(CPUs, 4)) to 64, got 65"));
  EXPECT_THAT(errors_of(base + "threads = -1\n"),
              ElementsAre("t.toml:6:11: http.threads: expected 0 (min(CPUs, 4)) to 64, got -1"));
}

TEST(ConfigLoader, BadAddressesAndRanges) {
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[[dhcp.subnet]]
network = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.200", "198.18.0.10"]
exclude = ["198.18.0.300"]
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0"
address = "198.18.0"
[[dhcp.subnet]]
network = "198.19.0.0"
)");
  EXPECT_THAT(
      errors,
      ElementsAre("t.toml:5:39: dhcp.subnet[0].pools[1]: expected START-END with two IPv4 "
                  "addresses, got \"198.18.0.10\"",
                  "t.toml:6:12: dhcp.subnet[0].exclude[0]: expected an IPv4 address or START-END "
                  "with two IPv4 addresses, got \"198.18.0.300\"",
                  "t.toml:8:7: dhcp.subnet[0].reservation[0].mac: expected a MAC address like "
                  "\"52:54:00:12:34:56\", got \"52:54:00:e2:e0\"",
                  "t.toml:9:11: dhcp.subnet[0].reservation[0].address: expected an IPv4 address, "
                  "got \"198.18.0\"",
                  "t.toml:11:11: dhcp.subnet[1].network: expected NETWORK/PREFIX like "
                  "\"198.18.0.0/24\", got \"198.19.0.0\""));
}

TEST(ConfigLoader, MissingNetwork) {
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[[dhcp.subnet]]
pools = ["198.18.0.100-198.18.0.200"]
)");
  EXPECT_THAT(errors, ElementsAre("t.toml:3:1: dhcp.subnet[0]: missing key network = "
                                  "\"NETWORK/PREFIX\""));
}

TEST(ConfigLoader, SeveralErrorsAtOnceInFileOrder) {
  // A syntax-clean file with an unknown key, a wrong type, a bad address and a validation error:
  // all four are reported, ordered by position.
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
lease-time = 10
offer_hold = 5
[[dhcp.subnet]]
network = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.1.20"]
[[dhcp.subnet.reservation]]
mac = "not a mac"
address = "198.18.0.7"
[tftp]
max-windowsize = "64"
)");
  EXPECT_THAT(
      errors,
      ElementsAre("t.toml:4:14: dhcp.lease-time: expected 60 to 31536000 seconds, got 10",
                  "t.toml:5:1: dhcp.offer_hold: unknown key; did you mean \"offer-hold\"?",
                  "t.toml:8:10: dhcp.subnet[0].pools[0]: 198.18.0.100-198.18.1.20 is "
                  "outside the subnet 198.18.0.0/24",
                  "t.toml:10:7: dhcp.subnet[0].reservation[0].mac: expected a MAC address "
                  "like \"52:54:00:12:34:56\", got \"not a mac\"",
                  "t.toml:13:18: tftp.max-windowsize: expected 1 to 64 blocks, got \"64\""));
}

TEST(ConfigLoader, InvalidValuesDoNotCauseFollowOnErrors) {
  // A bad network must not also produce "pool outside the subnet" or overlap errors.
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[[dhcp.subnet]]
network = "198.18.0.0/33"
pools = ["198.18.0.100-198.18.0.200"]
[[dhcp.subnet.reservation]]
mac = 5
address = "198.18.0.7"
)");
  EXPECT_THAT(errors, ElementsAre("t.toml:4:11: dhcp.subnet[0].network: expected NETWORK/PREFIX "
                                  "like \"198.18.0.0/24\", got \"198.18.0.0/33\"",
                                  "t.toml:7:7: dhcp.subnet[0].reservation[0].mac: expected a "
                                  "string, got 5"));
}

TEST(ConfigLoader, OptionsAreTypedByTheTable) {
  Config c = load_ok(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp.options]
routers = ["198.18.0.254", "198.18.0.253"]
domain-name-servers = "198.18.0.53"
subnet-mask = "255.255.255.0"
interface-mtu = 1500
time-offset = 3600
domain-name = "lab.example"
vendor-encapsulated-options = "06:01:08"
option-252 = "text:http://wpad/"
224 = [1, 2, 3]
option-66 = "198.18.0.1"
[[dhcp.subnet]]
network = "198.18.0.0/24"
)");
  std::map<std::uint8_t, Bytes> got;
  for (const OptionValue& o : c.dhcp.options) {
    got[o.code] = o.data;
    EXPECT_EQ(o.pos.file, "t.toml");
    EXPECT_GT(o.pos.line, 3);
  }
  EXPECT_EQ(got.at(3), (Bytes{198, 18, 0, 254, 198, 18, 0, 253}));
  EXPECT_EQ(got.at(6), (Bytes{198, 18, 0, 53}));
  EXPECT_EQ(got.at(1), (Bytes{255, 255, 255, 0}));
  EXPECT_EQ(got.at(26), (Bytes{0x05, 0xdc}));
  EXPECT_EQ(got.at(2), (Bytes{0, 0, 0x0e, 0x10}));
  EXPECT_EQ(got.at(15),
            Bytes(std::string_view("lab.example").begin(), std::string_view("lab.example").end()));
  EXPECT_EQ(got.at(43), (Bytes{6, 1, 8}));
  EXPECT_EQ(got.at(252), Bytes(std::string_view("http://wpad/").begin(),
                               std::string_view("http://wpad/").end()));
  EXPECT_EQ(got.at(224), (Bytes{1, 2, 3}));
  EXPECT_EQ(got.at(66),
            Bytes(std::string_view("198.18.0.1").begin(), std::string_view("198.18.0.1").end()));
  EXPECT_EQ(got.size(), 10u);
}

TEST(ConfigLoader, BadOptions) {
  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp.options]
rooters = ["198.18.0.254"]
lease-time = 600
domain-name-servers = ["198.18.0.53", "dns.example"]
interface-mtu = 70000
domain-name = true
option-300 = "01"
[[dhcp.subnet]]
network = "198.18.0.0/24"
[[dhcp.subnet.reservation]]
mac = "52:54:00:e2:e0:01"
[dhcp.subnet.reservation.options]
routers = ["198.18.0.1"]
option-3 = "198.18.0.2"
)");
  EXPECT_THAT(
      errors,
      ElementsAre(
          "t.toml:4:1: dhcp.options.rooters: unknown option \"rooters\"; use a name from the "
          "option table or option-NNN; did you mean \"routers\"?",
          "t.toml:5:1: dhcp.options.lease-time: option 51 (lease-time) is set by the server; use "
          "lease-time in [dhcp] or in the subnet",
          "t.toml:6:39: dhcp.options.domain-name-servers[1]: expected an IPv4 address, got "
          "\"dns.example\"",
          "t.toml:7:17: dhcp.options.interface-mtu: expected an integer from 0 to 65535, got 70000",
          "t.toml:8:15: dhcp.options.domain-name: expected a string, got true",
          "t.toml:9:1: dhcp.options.option-300: option code 300 is outside 1..254",
          "t.toml:15:11: dhcp.subnet[0].reservation[0].options.routers: option 3 is given twice "
          "in dhcp.subnet[0].reservation[0].options"));
}

TEST(ConfigLoader, BootFiles) {
  Config c = load_ok(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
enabled = false
[boot.files]
efi64 = "ipxe.efi"
9 = "snponly.efi"
bios = "undionly.kpxe"
)");
  EXPECT_EQ(c.boot.boot_files.at(0), "undionly.kpxe");
  EXPECT_EQ(c.boot.boot_files.at(7), "ipxe.efi");
  EXPECT_EQ(c.boot.boot_files.at(9), "snponly.efi");  // a number overrides the keyword

  auto errors = errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
enabled = false
[boot.files]
sparc = "x"
efi32 = 6
7 = "a.efi"
07 = "b.efi"
)");
  EXPECT_THAT(errors,
              ElementsAre("t.toml:6:1: boot.files.sparc: unknown architecture; expected bios, "
                          "efi32, efi64, arm32, arm64 or an option 93 number (0 to 65535)",
                          "t.toml:7:9: boot.files.efi32: expected a boot file name or URL, got 6",
                          "t.toml:8:1: boot.files.7: architecture 7 is already given as \"07\""));
}

TEST(ConfigLoader, ParseThenOverrideThenValidateNamesTheFlag) {
  auto parsed = parse_config_string(R"(interfaces = ["br0"]
root = "/srv/pxed"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["br0"]
[tftp]
port = 69
)",
                                    "t.toml");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(validate(parsed->config, &parsed->sources).empty());
  parsed->config.tftp.port = 0;
  parsed->sources.replace("tftp.port", SourcePos{"--tftp-port"});
  parsed->config.interfaces = {"br1", "br1"};
  parsed->sources.replace("interfaces", SourcePos{"--interface"});
  auto errors = validate(parsed->config, &parsed->sources);
  EXPECT_THAT(strings(errors),
              ElementsAre("--interface: interfaces[1]: \"br1\" is listed twice",
                          "t.toml:5:15: dhcp.subnet[0].interfaces[0]: interface \"br0\" is not in "
                          "the top-level interfaces list",
                          "--tftp-port: tftp.port: expected a port from 1 to 65535, got 0"));
}

TEST(ConfigLoader, ParseConfigDoesNotValidate) {
  auto parsed = parse_config_string("root = \"\"\n", "t.toml");
  ASSERT_TRUE(parsed);  // no interfaces and an empty root: validate()'s business
  EXPECT_FALSE(validate(parsed->config, &parsed->sources).empty());
  auto bad = parse_config_string("root = 1\n", "t.toml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error()[0].to_string(), "t.toml:1:8: root: expected a string, got 1");
}

TEST(ConfigLoader, Ipv6RouterAdvertisementIsForPxeClientsByDefault) {
  auto with = [](const std::string& line) {
    return "interfaces = \"br0\"\nroot = \"/srv/pxed\"\n[dhcp]\n" + line +
           "\n[[dhcp.subnet]]\nnetwork = \"198.18.0.0/24\"\n";
  };
  auto mode = [&](const std::string& line) {
    return load_ok(with(line)).dhcp.ipv6_router_advertisement;
  };
  EXPECT_EQ(mode(""), net::RaMode::pxe_clients);
  EXPECT_EQ(mode("ipv6-router-advertisement = \"pxe-clients\""), net::RaMode::pxe_clients);
  EXPECT_EQ(mode("ipv6-router-advertisement = \"all\""), net::RaMode::all);
  EXPECT_EQ(mode("ipv6-router-advertisement = \"off\""), net::RaMode::off);
  // The switch it used to be still reads: true answers everyone, false no one.
  EXPECT_EQ(mode("ipv6-router-advertisement = true"), net::RaMode::all);
  EXPECT_EQ(mode("ipv6-router-advertisement = false"), net::RaMode::off);
  EXPECT_THAT(errors_of(with("ipv6-router-advertisement = \"yes\"")),
              ElementsAre("t.toml:4:29: dhcp.ipv6-router-advertisement: expected \"pxe-clients\", "
                          "\"all\" or \"off\", got \"yes\""));
  auto example = load_config_file(kExample);
  ASSERT_TRUE(example);
  EXPECT_EQ(example->dhcp.ipv6_router_advertisement, net::RaMode::pxe_clients);
}

TEST(ConfigLoader, ApiTokenFromTheConfigOrAFile) {
  const std::string base =
      "interfaces = [\"br0\"]\nroot = \"/srv/pxed\"\n[[dhcp.subnet]]\n"
      "network = \"198.18.0.0/24\"\n[api]\n";
  EXPECT_EQ(load_ok(base).api.token, "");  // writes off
  EXPECT_EQ(load_ok(base + "token = \"abc\"\n").api.token, "abc");
  const std::string dir = ::testing::TempDir();
  {
    std::ofstream f(dir + "/pxed-token.txt");
    f << "from-file  \nsecond line\n";
  }
  EXPECT_EQ(load_ok(base + "token-file = \"" + dir + "/pxed-token.txt\"\n").api.token,
            "from-file");
  auto missing = errors_of(base + "token-file = \"/nonexistent/pxed-token\"\n");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_TRUE(missing[0].starts_with("t.toml:6:14: api.token-file: cannot read /nonexistent/pxed-token"))
      << missing[0];
  EXPECT_THAT(errors_of(base + "token = \"a\"\ntoken-file = \"" + dir + "/pxed-token.txt\"\n"),
              ElementsAre(::testing::StartsWith(
                  "t.toml:7:14: api.token-file: expected either api.token or api.token-file")));
  EXPECT_THAT(errors_of(base + "tokn = \"a\"\n"),
              ElementsAre(::testing::HasSubstr("api.tokn")));
}

}  // namespace
}  // namespace pxed::config

namespace pxed::config {
namespace {

TEST(ConfigLoader, ApiListenAddress) {
  const std::string base =
      "interfaces = [\"br0\"]\nroot = \"/srv/pxed\"\n[[dhcp.subnet]]\n"
      "network = \"198.18.0.0/24\"\n[api]\n";
  EXPECT_FALSE(load_ok(base).api.listen);  // unset: on the boot HTTP port
  auto listen = load_ok(base + "listen = \"127.0.0.1:8081\"\n").api.listen;
  ASSERT_TRUE(listen);
  EXPECT_EQ(listen->address.to_string(), "127.0.0.1");
  EXPECT_EQ(listen->port, 8081);
  EXPECT_EQ(load_ok(base + "listen = \"0.0.0.0:65535\"\n").api.listen->port, 65535);
  for (const char* bad : {"\"127.0.0.1\"", "\"127.0.0.1:0\"", "\"127.0.0.1:65536\"",
                          "\"localhost:8081\"", "\":8081\"", "\"127.0.0.1:80x\"", "8081"}) {
    EXPECT_THAT(errors_of(base + "listen = " + bad + "\n"),
                ElementsAre(::testing::StartsWith("t.toml:6:10: api.listen: expected ")))
        << bad;
  }
  EXPECT_THAT(errors_of(base + "listen = \"1.2.3:8081\"\n"),
              ElementsAre(HasSubstr("such as \"127.0.0.1:8081\", got \"1.2.3:8081\"")));
  EXPECT_THAT(errors_of(base + "lisen = \"127.0.0.1:8081\"\n"),
              ElementsAre(HasSubstr("did you mean \"listen\"")));
}

TEST(ConfigLoader, ParseListenAddress) {
  EXPECT_EQ(parse_listen_address("198.18.0.1:80")->port, 80);
  EXPECT_EQ(parse_listen_address("198.18.0.1:80")->address.to_string(), "198.18.0.1");
  EXPECT_FALSE(parse_listen_address(""));
  EXPECT_FALSE(parse_listen_address("198.18.0.1:"));
  EXPECT_FALSE(parse_listen_address("198.18.0.1:-1"));
  EXPECT_FALSE(parse_listen_address("[::1]:80"));
}

}  // namespace
}  // namespace pxed::config
