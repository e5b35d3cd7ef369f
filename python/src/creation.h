// What a primitive made from Python is called, and where it was made: an explicit name, else
// the variable the calling line assigns it to (`accounts = Lock()`, `self.ledger = Lock()`),
// found once per call site by lockgraph's Python namer; the site is the calling line.
#ifndef LOCKGRAPH_PYTHON_CREATION_H_
#define LOCKGRAPH_PYTHON_CREATION_H_

#include <Python.h>

#include <optional>
#include <string>

#include "lockgraph/internal/foreign_frames.h"
#include "python/src/python_frames.h"

namespace lockgraph::python {

// Sets the Python function (code, byte offset) -> str | None that names the variable a call
// at that instruction is stored in. GIL held.
void SetNamer(PyObject* namer);

// The calling line, as the construction site of objects made while this is alive.
class Creation {
 public:
  // `name`: the name the program gave, or empty. `class_name`, if not empty, is the class
  // of what is made instead of its name.
  explicit Creation(std::string name, std::string class_name = {});
  Creation(const Creation&) = delete;
  Creation& operator=(const Creation&) = delete;

  // The class name: the program's, else the variable's, else empty (the site is the class).
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string class_name_;
  internal::ForeignSite site_;
  std::optional<internal::ForeignConstruction> scope_;
};

}  // namespace lockgraph::python

#endif  // LOCKGRAPH_PYTHON_CREATION_H_
