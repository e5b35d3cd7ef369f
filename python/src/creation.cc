#include "python/src/creation.h"

#include <utility>

#include "absl/container/flat_hash_map.h"

namespace lockgraph::python {
namespace {

PyObject* g_namer = nullptr;  // strong reference, never released
// Variable names by call site (code, offset), each asked of the namer once. GIL guarded.
absl::flat_hash_map<std::pair<PyCodeObject*, int>, std::string>* g_names = nullptr;

std::string VariableAt(PyCodeObject* code, int offset) {
  if (g_namer == nullptr || code == nullptr) return {};
  if (g_names == nullptr) g_names = new absl::flat_hash_map<std::pair<PyCodeObject*, int>, std::string>;
  auto [it, fresh] = g_names->try_emplace(std::make_pair(code, offset));
  if (!fresh) return it->second;
  // The code object is kept alive by python_frames (CallerSite registered it).
  PyObject* result = PyObject_CallFunction(g_namer, "Oi", reinterpret_cast<PyObject*>(code),
                                           offset * 2);
  if (result == nullptr) {
    PyErr_Clear();  // a name is a nicety: never fail a constructor for it
  } else {
    if (PyUnicode_Check(result)) {
      Py_ssize_t size = 0;
      if (const char* text = PyUnicode_AsUTF8AndSize(result, &size)) {
        it->second.assign(text, static_cast<size_t>(size));
      } else {
        PyErr_Clear();
      }
    }
    Py_DECREF(result);
  }
  return it->second;
}

}  // namespace

void SetNamer(PyObject* namer) {
  Py_XINCREF(namer);
  Py_XDECREF(g_namer);
  g_namer = namer;
}

Creation::Creation(std::string name, std::string class_name)
    : name_(std::move(name)), class_name_(std::move(class_name)) {
  const PythonSite site = CallerSite();
  if (site.code == nullptr) return;  // made from C: the C++ site stands
  if (name_.empty()) name_ = VariableAt(site.code, site.offset);
  site_ = {site.file, site.line, site.function, class_name_};
  scope_.emplace(site_);
}

}  // namespace lockgraph::python
