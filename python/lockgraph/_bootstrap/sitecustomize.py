# lockgraph's bootstrap: `lockgraph run` (and `python3 -m lockgraph`) put this directory first
# on PYTHONPATH, so every Python process of the run installs lockgraph's primitives before the
# program's first line. Then the sitecustomize this one hides, if any, runs as it would have.
import importlib.machinery as _machinery
import importlib.util as _util
import os as _os
import sys as _sys


def _install_lockgraph():
    here = _os.path.dirname(_os.path.abspath(__file__))
    package_parent = _os.path.dirname(_os.path.dirname(here))
    # The lockgraph next to this file, not another one on the path.
    _sys.path.insert(0, package_parent)
    try:
        import lockgraph

        lockgraph.install()
    except ImportError as error:
        built = _os.environ.get("LOCKGRAPH_PYTHON_VERSION")
        running = "%d.%d" % _sys.version_info[:2]
        why = (f"lockgraph's Python package is built for Python {built}" if built and built != running
               else str(error))
        print(f"lockgraph: this Python ({_sys.version.split()[0]}) runs without lockgraph's "
              f"primitives ({why}); only its native locks are recorded", file=_sys.stderr)
    finally:
        try:
            _sys.path.remove(package_parent)
        except ValueError:
            pass
    return here


def _chain(here):
    path = [p for p in _sys.path if _os.path.abspath(p or ".") != here]
    spec = _machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = _util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_chain(_install_lockgraph())
