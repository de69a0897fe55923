// Fuzz target: the IPv6 router solicitation decoder (net/router_advert.h) and the advertisement
// pxed sends back.
//
// Input: byte 0 is the hop limit the message arrived with; byte 1 picks the IPv6 source (bit 0:
// the unspecified address, else a link-local one; bit 1: a multicast address instead); the rest
// is the ICMPv6 message. For every input that decodes:
//  - the message is a router solicitation with hop limit 255, at least 8 bytes, type 133 code 0,
//    from a source that is not multicast;
//  - a source link-layer address is never taken from a message sent from the unspecified address;
//  - the advertisement for it is 24 bytes, type 134, lifetime 0, no flags, carries our MAC, and
//    goes to the solicitor (link-local) or to ff02::1.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "net/router_advert.h"

namespace pxed::net {
namespace {

const MacAddress kOurs({0x02, 0, 0, 0, 0, 1});

void run(ByteView in) {
  if (in.size() < 2) return;
  const int hop_limit = in[0];
  Ipv6Address source{};
  if (in[1] & 2) {
    source = kAllNodes;
  } else if (!(in[1] & 1)) {
    source = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0, 0xff, 0xfe, 0xe2, 0xe0, 0x01};
  }
  ByteView icmp = in.subspan(2);
  auto rs = decode_router_solicitation(icmp, source, hop_limit);
  if (!rs) {
    FUZZ_CHECK(!rs.error().message.empty());
    return;
  }
  FUZZ_CHECK(hop_limit == kNdpHopLimit);
  FUZZ_CHECK(icmp.size() >= 8 && icmp[0] == kIcmpv6RouterSolicitation && icmp[1] == 0);
  FUZZ_CHECK(!is_multicast(source));
  FUZZ_CHECK(!(rs->source_mac && is_unspecified(source)));

  Bytes ra = encode_router_advertisement(minimal_router_advertisement(kOurs));
  FUZZ_CHECK(ra.size() == 24 && ra[0] == kIcmpv6RouterAdvertisement && ra[5] == 0);
  FUZZ_CHECK(ra[6] == 0 && ra[7] == 0);  // router lifetime 0
  FUZZ_CHECK(std::equal(kOurs.bytes().begin(), kOurs.bytes().end(), ra.begin() + 18));
  const Ipv6Address to = advertisement_destination(source);
  FUZZ_CHECK(to == source || to == kAllNodes);
  FUZZ_CHECK(is_link_local(to) || to == kAllNodes);
}

}  // namespace
}  // namespace pxed::net

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pxed::net::run(pxed::ByteView(data, size));
  return 0;
}
