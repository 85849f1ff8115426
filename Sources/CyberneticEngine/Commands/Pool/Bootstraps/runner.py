# Cybernetic warm python runner. Boots the interpreter (and the modules a job needs to start),
# writes \x01R, reads one job (JSON: mode, argv, cwd, env) from stdin to its end, sets sys.argv,
# sys.path[0], the environment and the working directory as `python3 SCRIPT`, `python3 -c CODE`
# or `python3 -m MODULE` would, writes \x01S and runs the job as __main__ in a fresh module.
# End of file without a job: exit quietly.
import os
import sys

_here = os.path.dirname(os.path.realpath(__file__))
if not sys.flags.safe_path and sys.path and os.path.realpath(sys.path[0] or ".") == _here:
    del sys.path[0]

import builtins
import importlib.machinery
import json
import runpy
import types

os.write(1, b"\x01R")


def _read_job():
    data = bytearray()
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        data += chunk
    return json.loads(data) if data else None


def _fresh_main():
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    return main


def _report(error):
    # Hide the runner's own frames, as `python3 SCRIPT` shows none of its own.
    tb = error.__traceback__
    skip = {__file__, runpy.__file__}
    while tb is not None and tb.tb_frame.f_code.co_filename in skip:
        tb = tb.tb_next
    error.__traceback__ = tb
    sys.excepthook(type(error), error, tb)


def _run(job):
    mode = job["mode"]
    argv = job["argv"]
    os.write(1, b"\x01S")
    if mode == "script":
        script = argv[0]
        full = os.path.abspath(script)
        if not os.path.exists(full):
            sys.stderr.write("%s: can't open file %r: [Errno 2] No such file or directory\n"
                             % (os.path.basename(sys.executable), full))
            sys.stderr.flush()
            return 2
        if not sys.flags.safe_path:
            sys.path.insert(0, os.path.dirname(os.path.realpath(full)))
        sys.argv = list(argv)
        main = _fresh_main()
        if os.path.isfile(full) and not full.endswith((".zip", ".pyz")):
            with open(full, "rb") as handle:
                source = handle.read()
            main.__file__ = full
            main.__cached__ = None
            main.__loader__ = importlib.machinery.SourceFileLoader("__main__", full)
            main.__spec__ = None
            main.__package__ = None
            exec(compile(source, full, "exec", dont_inherit=True), main.__dict__)
        else:
            runpy.run_path(script, run_name="__main__")
    elif mode == "code":
        if not sys.flags.safe_path:
            sys.path.insert(0, "")
        sys.argv = ["-c"] + list(argv[1:])
        main = _fresh_main()
        main.__spec__ = None
        main.__package__ = None
        main.__loader__ = importlib.machinery.BuiltinImporter
        exec(compile(argv[0], "<string>", "exec", dont_inherit=True), main.__dict__)
    else:
        if not sys.flags.safe_path:
            sys.path.insert(0, os.getcwd())
        sys.argv = ["-m"] + list(argv[1:])
        _fresh_main()
        runpy._run_module_as_main(argv[0], alter_argv=True)
    return 0


_job = _read_job()
if _job is None:
    sys.exit(0)
for _name, _value in _job["env"].items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value
if _job.get("cwd"):
    os.chdir(_job["cwd"])
try:
    _status = _run(_job)
except SystemExit:
    raise
except BaseException as _error:
    _report(_error)
    sys.exit(1)
sys.exit(_status)
