# Writes OUT: the source IN with LINES comment lines put before it, so the same program has
# every line moved (finding ids must not change). Run as
#   cmake -DIN=a.cc -DOUT=b.cc -DLINES=7 -P shift_lines.cmake
file(READ "${IN}" source)
set(prefix "")
foreach(i RANGE 1 ${LINES})
  string(APPEND prefix "// (a line added above the program: everything below moves down)\n")
endforeach()
file(WRITE "${OUT}" "${prefix}${source}")
