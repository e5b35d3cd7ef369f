#include "frame_walk.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
/* CPython 3.11: the thread state's current _PyInterpreterFrame chain. */
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"

static _PyInterpreterFrame* Complete(_PyInterpreterFrame* frame) {
  while (frame != NULL && _PyFrame_IsIncomplete(frame)) frame = frame->previous;
  return frame;
}

static _PyInterpreterFrame* Innermost(void) {
  PyThreadState* tstate = _PyThreadState_UncheckedGet();
  if (tstate == NULL || tstate->cframe == NULL) return NULL;
  return Complete(tstate->cframe->current_frame);
}

int lockgraph_current_frame(PyCodeObject** code, int* offset) {
  _PyInterpreterFrame* frame = Innermost();
  if (frame == NULL) return 0;
  *code = frame->f_code;
  *offset = _PyInterpreterFrame_LASTI(frame);
  return 1;
}

int lockgraph_walk_frames(PyCodeObject** codes, int* offsets, int max) {
  int n = 0;
  for (_PyInterpreterFrame* frame = Innermost(); frame != NULL && n < max;
       frame = Complete(frame->previous)) {
    codes[n] = frame->f_code;
    offsets[n] = _PyInterpreterFrame_LASTI(frame);
    ++n;
  }
  return n;
}

#else
/* Other versions: the public frame API (slower: it makes frame objects). */
int lockgraph_current_frame(PyCodeObject** code, int* offset) {
  PyFrameObject* frame = PyEval_GetFrame(); /* borrowed */
  if (frame == NULL) return 0;
  PyCodeObject* c = PyFrame_GetCode(frame);
  *code = c;
  Py_DECREF(c); /* the frame keeps it */
  *offset = PyFrame_GetLasti(frame) / 2;
  return 1;
}

int lockgraph_walk_frames(PyCodeObject** codes, int* offsets, int max) {
  int n = 0;
  PyFrameObject* frame = PyEval_GetFrame();
  Py_XINCREF(frame);
  while (frame != NULL && n < max) {
    PyCodeObject* c = PyFrame_GetCode(frame);
    codes[n] = c;
    Py_DECREF(c);
    offsets[n] = PyFrame_GetLasti(frame) / 2;
    ++n;
    PyFrameObject* back = PyFrame_GetBack(frame);
    Py_DECREF(frame);
    frame = back;
  }
  Py_XDECREF(frame);
  return n;
}
#endif
