#include "http/response_head.h"

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

TEST(SerializeHead, StatusLineDateHeadersBlankLine) {
  ResponsePlan plan;
  plan.status = 206;
  plan.headers = {{"Content-Length", "90"}, {"Content-Range", "bytes 10-99/1000"}};
  plan.body = "not part of the head";
  EXPECT_EQ(serialize_head(plan, 784111777),
            "HTTP/1.1 206 Partial Content\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Server: pxed\r\n"
            "Content-Length: 90\r\n"
            "Content-Range: bytes 10-99/1000\r\n"
            "\r\n");
}

}  // namespace
}  // namespace pxed::http
