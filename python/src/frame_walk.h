/* The calling thread's Python frames as (code object, instruction offset) pairs, read straight
 * from the interpreter's frame stack: no frame objects are made, so reading where a lock is
 * taken costs a few loads. The caller holds the GIL. C, because CPython's frame layout is in
 * its internal C headers. */
#ifndef LOCKGRAPH_PYTHON_FRAME_WALK_H_
#define LOCKGRAPH_PYTHON_FRAME_WALK_H_

#include <Python.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The innermost complete frame of the calling thread: its code (borrowed) and the offset, in
 * code units, of its current instruction. 0 if the thread runs no Python code. */
int lockgraph_current_frame(PyCodeObject** code, int* offset);

/* Up to `max` frames, innermost first; returns how many. */
int lockgraph_walk_frames(PyCodeObject** codes, int* offsets, int max);

#ifdef __cplusplus
}
#endif

#endif /* LOCKGRAPH_PYTHON_FRAME_WALK_H_ */
