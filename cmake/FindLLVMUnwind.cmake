# Finds LLVM's libunwind as Debian packages it (libunwind-14-dev): the header lives in
# /usr/include/libunwind (not on the default include path, so it cannot be confused with the
# "nongnu" libunwind of libunwind-dev) and the libraries under /usr/lib/llvm-<N>/lib.
#
# Defines two imported targets:
#   LLVMUnwind::shared  libunwind.so: for executables and static libraries. Linking libunwind.a
#                       into an executable breaks C++ exceptions (see DESIGN.md, field notes).
#   LLVMUnwind::static  libunwind.a: only for shared libraries linked with
#                       -Wl,--exclude-libs,ALL, so none of its _Unwind_* symbols are exported.
find_path(LLVMUnwind_INCLUDE_DIR libunwind.h
  PATHS /usr/include/libunwind /usr/lib/llvm-14/include/libunwind
  NO_DEFAULT_PATH)
set(_llvm_unwind_dirs /usr/lib/llvm-14/lib /usr/lib/llvm-15/lib /usr/lib/llvm-16/lib)
find_library(LLVMUnwind_SHARED_LIBRARY NAMES libunwind.so PATHS ${_llvm_unwind_dirs} NO_DEFAULT_PATH)
find_library(LLVMUnwind_STATIC_LIBRARY NAMES libunwind.a PATHS ${_llvm_unwind_dirs} NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LLVMUnwind
  REQUIRED_VARS LLVMUnwind_INCLUDE_DIR LLVMUnwind_SHARED_LIBRARY LLVMUnwind_STATIC_LIBRARY)

if(LLVMUnwind_FOUND AND NOT TARGET LLVMUnwind::shared)
  add_library(LLVMUnwind::shared SHARED IMPORTED)
  set_target_properties(LLVMUnwind::shared PROPERTIES
    IMPORTED_LOCATION "${LLVMUnwind_SHARED_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LLVMUnwind_INCLUDE_DIR}")
  add_library(LLVMUnwind::static STATIC IMPORTED)
  set_target_properties(LLVMUnwind::static PROPERTIES
    IMPORTED_LOCATION "${LLVMUnwind_STATIC_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LLVMUnwind_INCLUDE_DIR}")
endif()
