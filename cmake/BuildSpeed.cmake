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
# - Line tables in sanitizer and fuzz builds: lockgraph_line_tables_when_sanitized(TARGET)
#   compiles the target with -g1 (clang: -gline-tables-only) in place of full debug
#   information when LOCKGRAPH_SANITIZE is set. The sanitizers' reports name file and line,
#   which line tables keep; full debug information was a third of those builds' compile time.
#   For the runtime, the analyzer and the test drivers only: the programs under test keep -g,
#   as the tests check their inlined frames, which line tables do not describe.
# - Less optimization for the analyzer in sanitizer builds: lockgraph_optimize_less_when_sanitized
#   (TARGET) compiles it at -O1 when LOCKGRAPH_SANITIZE is set. One of its unity batches took
#   84 s at -O2 under ASan and UBSan, 53 s at -O1. Not for the runtime: the tests check the
#   frames it leaves on a stack, which change with its inlining (docs/reliability.md).
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

function(lockgraph_line_tables_when_sanitized)
  if(LOCKGRAPH_SANITIZE)
    foreach(target ${ARGN})
      target_compile_options(${target} PRIVATE
        $<$<CXX_COMPILER_ID:GNU>:-g1> $<$<CXX_COMPILER_ID:Clang>:-gline-tables-only>)
    endforeach()
  endif()
endfunction()

function(lockgraph_optimize_less_when_sanitized)
  if(LOCKGRAPH_SANITIZE)
    foreach(target ${ARGN})
      target_compile_options(${target} PRIVATE $<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:-O1>)
    endforeach()
  endif()
endfunction()

include(CheckLinkerFlag)
check_linker_flag(CXX -fuse-ld=lld LOCKGRAPH_HAVE_LLD)
if(LOCKGRAPH_HAVE_LLD)
  add_link_options(-fuse-ld=lld)
endif()
