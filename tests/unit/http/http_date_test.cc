#include "http/http_date.h"

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(1709251199), "Thu, 29 Feb 2024 23:59:59 GMT");
}

}  // namespace
}  // namespace pxed::http
