// How findings name lock classes: by the program's name, by the construction site, or (under
// the LD_PRELOAD interposer) by the site of first use.
#include "analyzer/findings/lock_labels.h"

#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::ClassLabel;
using ::lockgraph::analyzer::ClassToken;
using ::lockgraph::analyzer::IsSiteClass;
using ::lockgraph::analyzer::ModelClass;
using ::lockgraph::analyzer::ShortName;
using ::lockgraph::format::SyncKind;

ModelClass Class(const std::string& name, SyncKind kind, const std::string& file, uint32_t line,
                 const std::string& function = "") {
  ModelClass c;
  c.name = name;
  c.kind = kind;
  c.file = file;
  c.line = line;
  c.function = function;
  return c;
}

TEST(LockLabels, NamedClassIsNamedByItsName) {
  const ModelClass c = Class("accounts", SyncKind::kLock, "/src/bank.cc", 12, "Bank::Bank");
  EXPECT_FALSE(IsSiteClass(c));
  EXPECT_EQ(ClassLabel(c), "Lock \"accounts\"");
  EXPECT_EQ(ShortName(c), "\"accounts\"");
  EXPECT_EQ(ClassToken(c), "accounts");
}

TEST(LockLabels, UnnamedClassIsNamedByItsConstructionSite) {
  const ModelClass c = Class("/src/bank.cc:12", SyncKind::kRLock, "/src/bank.cc", 12, "Bank::Bank");
  EXPECT_TRUE(IsSiteClass(c));
  EXPECT_EQ(ClassLabel(c), "RLock created at /src/bank.cc:12");
  EXPECT_EQ(ShortName(c), "bank.cc:12");
  // The id token leaves the line out, so the finding keeps its id when lines move.
  EXPECT_EQ(ClassToken(c), "bank.cc@Bank::Bank");
}

TEST(LockLabels, PreloadClassIsNamedByItsFirstUse) {
  const ModelClass resolved =
      Class("app+0x1234/0badcafe", SyncKind::kPthreadMutex, "/src/x.cc", 5, "Work");
  EXPECT_TRUE(IsSiteClass(resolved));
  EXPECT_EQ(ClassLabel(resolved), "pthread_mutex first used at /src/x.cc:5");
  EXPECT_EQ(ShortName(resolved), "x.cc:5");
  EXPECT_EQ(ClassToken(resolved), "x.cc@Work");

  // Without debug information the key is all there is.
  const ModelClass unresolved = Class("app+0x1234", SyncKind::kPthreadRwlock, "", 0);
  EXPECT_EQ(ClassLabel(unresolved), "pthread_rwlock app+0x1234");
  EXPECT_EQ(ShortName(unresolved), "app+0x1234");
}

}  // namespace
