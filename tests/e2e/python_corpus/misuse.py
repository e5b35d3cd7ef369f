# Releasing a Lock nobody holds raises RuntimeError, as in threading, and is reported.
import threading

spare = threading.Lock()
try:
    spare.release()  # releases an unheld lock
except RuntimeError as error:
    print("RuntimeError:", error)
