// A fresh directory under $TMPDIR (or /tmp), removed with its files when the test ends.
//
//   TempDir dir;
//   std::string trace = dir.path() + "/t.%p.lgtrace";
#ifndef LOCKGRAPH_TESTS_SUPPORT_TEMP_DIR_H_
#define LOCKGRAPH_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>
#include <vector>

namespace lockgraph::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The files in the directory (full paths, sorted) whose names end with `suffix`.
  std::vector<std::string> Files(const std::string& suffix = "") const;

 private:
  std::string path_;
};

// The contents of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_SUPPORT_TEMP_DIR_H_
