#include "cli/table.h"

#include <gtest/gtest.h>

namespace strato::cli {
namespace {

TEST(TableTest, AlignsColumnsUnderHeaders) {
  EXPECT_EQ(RenderTable({"ID", "STATE"}, {{"i-1", "running"}, {"i-0123456789", "pending"}}),
            "ID            STATE\n"
            "i-1           running\n"
            "i-0123456789  pending\n");
}

TEST(TableTest, NoTrailingSpacesAndShortRowsPadded) {
  EXPECT_EQ(RenderTable({"A", "LONGHEADER", "C"}, {{"x"}, {"yy", "", "z"}}),
            "A   LONGHEADER  C\n"
            "x\n"
            "yy              z\n");
}

TEST(TableTest, EmptyTableIsJustTheHeader) {
  EXPECT_EQ(RenderRecords(Json::array(), {{"ID", "id"}, {"NAME", "name"}}), "ID  NAME\n");
}

TEST(TableTest, Utf8CountsCharactersNotBytes) {
  EXPECT_EQ(RenderTable({"NAME", "X"}, {{"caf\xC3\xA9", "1"}, {"ab", "2"}}),
            "NAME  X\n"
            "caf\xC3\xA9  1\n"
            "ab    2\n");
}

TEST(TableTest, CellTextFormatsEveryJsonKind) {
  EXPECT_EQ(CellText(Json("a\nb")), "a b");
  EXPECT_EQ(CellText(Json()), "-");
  EXPECT_EQ(CellText(Json(true)), "true");
  EXPECT_EQ(CellText(Json(1024)), "1024");
  EXPECT_EQ(CellText(Json(1.5)), "1.5");
  EXPECT_EQ(CellText(Json::parse(R"({"env":"prod","n":3})")), "env=prod,n=3");
  EXPECT_EQ(CellText(Json::parse(R"(["strato-1a","strato-1b"])")), "strato-1a,strato-1b");
  EXPECT_EQ(CellText(Json::object()), "-");
}

TEST(TableTest, RecordsPickFieldsAndMarkMissingOnes) {
  const Json items = Json::parse(R"([
    {"id":"i-1","state":"running","host_id":"h-1","tags":{"env":"prod"}},
    {"id":"i-22","state":"pending","host_id":null}
  ])");
  EXPECT_EQ(RenderRecords(
                items, {{"ID", "id"}, {"STATE", "state"}, {"HOST", "host_id"}, {"TAGS", "tags"}}),
            "ID    STATE    HOST  TAGS\n"
            "i-1   running  h-1   env=prod\n"
            "i-22  pending  -     -\n");
}

TEST(TableTest, FieldsKeepServerOrder) {
  const Json obj = Json::parse(R"({"id":"i-1","name":"web","zone":"strato-1a"})");
  EXPECT_EQ(RenderFields(obj),
            "FIELD  VALUE\n"
            "id     i-1\n"
            "name   web\n"
            "zone   strato-1a\n");
}

}  // namespace
}  // namespace strato::cli
