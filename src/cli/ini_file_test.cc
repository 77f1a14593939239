#include "cli/ini_file.h"

#include <gtest/gtest.h>

namespace strato::cli {
namespace {

TEST(IniFileTest, ParsesSectionsCommentsAndSpaces) {
  auto ini = ParseIni(
      "# leading comment\n"
      "\n"
      "[default]\n"
      "aws_access_key_id = AKIADEFAULT\n"
      "  aws_secret_access_key=sec/ret+with#hash  \r\n"
      "; another comment\n"
      "[ prod ]\n"
      "region =\tstrato-2\n"
      "endpoint_url = http://127.0.0.1:9000\n",
      "creds");
  ASSERT_TRUE(ini.ok()) << ini.status().ToString();
  ASSERT_EQ(ini->size(), 2u);
  EXPECT_EQ(ini->at("default").at("aws_access_key_id"), "AKIADEFAULT");
  EXPECT_EQ(ini->at("default").at("aws_secret_access_key"), "sec/ret+with#hash");
  EXPECT_EQ(ini->at("prod").at("region"), "strato-2");
  EXPECT_EQ(ini->at("prod").at("endpoint_url"), "http://127.0.0.1:9000");
}

TEST(IniFileTest, ProfilePrefixBomAndRepeatedSections) {
  auto ini = ParseIni("\xEF\xBB\xBF[profile dev]\na = 1\n[default]\nx=1\n[dev]\na = 2\nb =\n", "f");
  ASSERT_TRUE(ini.ok()) << ini.status().ToString();
  EXPECT_EQ(ini->at("dev").at("a"), "2");
  EXPECT_EQ(ini->at("dev").at("b"), "");
  EXPECT_EQ(ini->at("default").at("x"), "1");
}

TEST(IniFileTest, EmptyTextIsEmptyFile) {
  auto ini = ParseIni("", "f");
  ASSERT_TRUE(ini.ok());
  EXPECT_TRUE(ini->empty());
}

TEST(IniFileTest, ErrorsNameFileAndLine) {
  auto no_section = ParseIni("# c\nkey = v\n", "/home/u/.strato/credentials");
  ASSERT_FALSE(no_section.ok());
  EXPECT_EQ(no_section.status().message(),
            "/home/u/.strato/credentials:2: 'key' is outside any [section]");

  auto garbage = ParseIni("[default]\nthis is not ini\n", "c");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(), "c:2: expected 'key = value' or '[section]'");

  EXPECT_EQ(ParseIni("[default\n", "c").status().message(), "c:1: section header lacks ']'");
  EXPECT_EQ(ParseIni("[ ]\n", "c").status().message(), "c:1: section name is empty");
  EXPECT_EQ(ParseIni("[a]\n = v\n", "c").status().message(), "c:2: key is empty");
}

}  // namespace
}  // namespace strato::cli
