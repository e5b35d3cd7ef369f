"""python3 -m lockgraph [-m module | script] [args...]: runs a Python program with lockgraph's
primitives installed before its first line (processes it starts, under any multiprocessing
start method, too). Each process writes its trace where LOCKGRAPH_OPTIONS says (by default
lockgraph.<pid>.lgtrace in the working directory); ``lockgraph analyze`` reads them."""

import os
import runpy
import sys

USAGE = "usage: python3 -m lockgraph [-m module | script.py] [args...]"


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not args else sys.stdout)
        return 2 if not args else 0
    import lockgraph

    lockgraph.install()
    # Python processes this one starts (multiprocessing's spawn and forkserver) install it too.
    bootstrap = os.path.join(os.path.dirname(os.path.abspath(lockgraph.__file__)), "_bootstrap")
    paths = [bootstrap] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    if args[0] == "-m":
        if len(args) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        sys.argv = args[1:]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        return 0
    script = args[0]
    if not os.path.exists(script):
        print(f"python3 -m lockgraph: {script}: no such file", file=sys.stderr)
        return 2
    sys.argv = args
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
