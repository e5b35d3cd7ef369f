// The one source of the targets that build the test programs' precompiled headers
// (tests/CMakeLists.txt, lockgraph_program). Nothing else is in it.
