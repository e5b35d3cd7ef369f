# What keeps a clean build of everything, tests included, within a few minutes on two cores
# (docs/reliability.md, "Build and CI time" has the figures):
#
# - Unity builds: lockgraph_compile_together(TARGET) compiles the target's sources in batches
#   of LOCKGRAPH_UNITY_BATCH files, one translation unit each, so GoogleTest, nlohmann-json
#   and Abseil are parsed and their templates instantiated once per batch instead of once per
#   file. Used for the analyzer, common and the test binaries; never for the runtime (its
#   thread-local and signal-safety attributes are per file) nor for the programs the tests
#   run, whose stacks and lines the tests check. A batch keeps each file's __FILE__ and line
#   numbers; file-local names must differ between the files of one target.
# - lld, when installed (scripts/install-deps.sh installs it): links several times faster
#   than the default ld.bfd.
set(LOCKGRAPH_UNITY_BATCH 16 CACHE STRING
  "Sources per unity translation unit for the analyzer and tests (0: all, 1: no unity build)")

function(lockgraph_compile_together)
  if(NOT LOCKGRAPH_UNITY_BATCH EQUAL 1)
    set_target_properties(${ARGN} PROPERTIES
      UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${LOCKGRAPH_UNITY_BATCH})
    # In a batch GCC sees each source as a header, and warns when a class there has a member
    # of a type from an anonymous namespace (-Wsubobject-linkage): a hazard of headers that
    # the batched sources do not have.
    foreach(target ${ARGN})
      target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
    endforeach()
  endif()
endfunction()

include(CheckLinkerFlag)
check_linker_flag(CXX -fuse-ld=lld LOCKGRAPH_HAVE_LLD)
if(LOCKGRAPH_HAVE_LLD)
  add_link_options(-fuse-ld=lld)
endif()
