#include "tftp/transfer_log.h"

#include <gtest/gtest.h>

namespace pxed::tftp {
namespace {

TransferSummary summary(Outcome outcome) {
  TransferSummary t;
  t.client = "198.18.0.100:2070";
  t.filename = "pxelinux.0";
  t.options = "blksize=1432 tsize=46909";
  t.outcome = outcome;
  t.stats.file_size = 46909;
  t.stats.bytes_acked = 46909;
  t.retries = 5;
  t.seconds = 0.0123;
  return t;
}

TEST(TftpTransferLog, Completed) {
  EXPECT_EQ(format_transfer_line(summary(Outcome::completed)),
            "tftp: 198.18.0.100:2070 RRQ pxelinux.0 (blksize=1432 tsize=46909) -> sent 46909 "
            "bytes in 0.012 s");
  auto t = summary(Outcome::completed);
  t.options.clear();
  t.stats.retransmits = 3;
  EXPECT_EQ(format_transfer_line(t),
            "tftp: 198.18.0.100:2070 RRQ pxelinux.0 -> sent 46909 bytes in 0.012 s, 3 retransmits");
}

TEST(TftpTransferLog, SizeProbe) {
  auto t = summary(Outcome::aborted_after_options);
  t.client = "198.18.0.100:1024";
  t.filename = "ipxe.efi";
  t.options = "blksize=1468 tsize=1036288 windowsize=4";
  EXPECT_EQ(format_transfer_line(t),
            "tftp: 198.18.0.100:1024 RRQ ipxe.efi (blksize=1468 tsize=1036288 windowsize=4) -> "
            "size probe ended by client after OACK");
}

TEST(TftpTransferLog, TimedOut) {
  auto t = summary(Outcome::timed_out);
  t.client = "198.18.0.100:2072";
  t.filename = "vmlinuz";
  t.options.clear();
  t.stats.file_size = 14000000;
  t.stats.bytes_acked = 2048;
  EXPECT_EQ(format_transfer_line(t),
            "tftp: 198.18.0.100:2072 RRQ vmlinuz -> timed out after 5 retries, 2048 of 14000000 "
            "bytes sent");
}

TEST(TftpTransferLog, AbortedAndCut) {
  auto a = summary(Outcome::aborted_by_client);
  a.options.clear();
  a.stats.bytes_acked = 512;
  a.stats.client_error = ErrorPacket{0, "disk\nfull"};
  EXPECT_EQ(format_transfer_line(a),
            "tftp: 198.18.0.100:2070 RRQ pxelinux.0 -> aborted by client with ERROR 0 "
            "\"disk\\x0afull\", 512 of 46909 bytes sent");
  auto c = summary(Outcome::cut);
  c.options.clear();
  c.stats.bytes_acked = 0;
  c.detail = "server stopping";
  EXPECT_EQ(
      format_transfer_line(c),
      "tftp: 198.18.0.100:2070 RRQ pxelinux.0 -> cut (server stopping), 0 of 46909 bytes sent");
}

TEST(TftpTransferLog, Refusal) {
  EXPECT_EQ(format_refusal_line("198.18.0.100:2071", "RRQ", "pxelinux.cfg/01-52-54-00-e2-e0-01",
                                "not found"),
            "tftp: 198.18.0.100:2071 RRQ pxelinux.cfg/01-52-54-00-e2-e0-01 -> not found");
}

TEST(TftpTransferLog, PrintableEscapesClientText) {
  EXPECT_EQ(printable("a\nb\\c\x7f"), "a\\x0ab\\x5cc\\x7f");
  EXPECT_EQ(printable(std::string(10, 'x'), 4), "xxxx...");
}

}  // namespace
}  // namespace pxed::tftp
