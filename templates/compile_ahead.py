"""Bytecode for a LiteLLM start, written on the other core while that start runs.

glm-codex-setup runs this beside the first start of the proxy in its own venv. The install writes no
bytecode (compiling all of the venv's modules costs more than it saves), so that start compiles each
of the ~4,000 modules it imports before running it; every module written here first is one it only
loads. On a warm venv this ends at once: the first module already has its bytecode.

Order: the start imports depth-first in statement order. This walk goes depth-first with the
statements reversed, so the two meet near the middle instead of compiling the same modules in
lockstep. A module that already has bytecode is being (or was) imported by the start, with all it
imports: its subtree is left alone.

Usage: python -I compile_ahead.py MODULE...   (the modules the start imports first, in that order)
It writes only __pycache__ files under this interpreter's site-packages, each the way the import
system writes them (timestamp header, temporary file then rename), and never fails loudly: anything
it cannot read or write is skipped.
"""
import ast
import importlib.util
import marshal
import os
import signal
import sys
import sysconfig


def source_of(name, root):
    base = os.path.join(root, *name.split('.'))
    for candidate in (os.path.join(base, '__init__.py'), base + '.py'):
        if os.path.isfile(candidate):
            return candidate
    return None


def is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING') or (
        isinstance(test, ast.Attribute) and test.attr == 'TYPE_CHECKING'
    )


def import_statements(body):
    """The import statements that run when the module body runs (not those inside functions)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not is_type_checking(node.test):
                yield from import_statements(node.body)
            yield from import_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from import_statements(block)
        elif isinstance(node, ast.With):
            yield from import_statements(node.body)


def imported_names(tree, name, is_package):
    package = name if is_package else name.rpartition('.')[0]
    names = []
    for node in import_statements(tree.body):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
            continue
        if node.level:
            parts = package.split('.')
            parts = parts[: len(parts) - node.level + 1]
            module = '.'.join(parts + ([node.module] if node.module else []))
        else:
            module = node.module or ''
        names.append(module)
        # `from package import name` may import a submodule.
        names.extend(f'{module}.{alias.name}' for alias in node.names if alias.name != '*')
    return names


def write_bytecode(path, cache_path, tree, stat):
    code = compile(tree, path, 'exec', dont_inherit=True)
    header = (
        importlib.util.MAGIC_NUMBER
        + (0).to_bytes(4, 'little')
        + (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, 'little')
        + (stat.st_size & 0xFFFFFFFF).to_bytes(4, 'little')
    )
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    temporary = f'{cache_path}.{os.getpid()}'
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, (stat.st_mode | 0o200) & 0o666)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(header + marshal.dumps(code))
        os.replace(temporary, cache_path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def walk(roots, site_packages):
    seen = set()
    # A stack: the last pushed is visited first, so the start's first import is visited last.
    stack = list(roots)
    written = 0
    while stack and not stopping:
        name = stack.pop()
        if not name or name in seen:
            continue
        parents = ['.'.join(name.split('.')[:i]) for i in range(1, name.count('.') + 1)]
        missing = [parent for parent in parents if parent not in seen]
        if missing:
            stack.append(name)
            stack.extend(reversed(missing))
            continue
        seen.add(name)
        path = source_of(name, site_packages)
        # A package folder may be a link out of the venv: its bytecode is not this walk's to write.
        if path is None or not os.path.realpath(path).startswith(site_packages + os.sep):
            continue
        cache_path = importlib.util.cache_from_source(path)
        if os.path.exists(cache_path):
            continue
        try:
            stat = os.stat(path)
            with open(path, 'rb') as handle:
                tree = compile(handle.read(), path, 'exec', ast.PyCF_ONLY_AST, dont_inherit=True)
            write_bytecode(path, cache_path, tree, stat)
            written += 1
        except (OSError, SyntaxError, ValueError):
            continue
        stack.extend(n for n in imported_names(tree, name, path.endswith('__init__.py')) if n not in seen)
    return written


stopping = False


def stop(*_):
    # The tool stops the walk once the proxy answers (TERM), and Ctrl-C reaches it with the tool (INT):
    # it ends between two modules, never inside a write, so no temporary file is left behind.
    global stopping
    stopping = True


def main():
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    site_packages = os.path.realpath(sysconfig.get_paths()['purelib'])
    if not site_packages.startswith(os.path.realpath(sys.prefix) + os.sep):
        return
    print(walk(sys.argv[1:], site_packages))


if __name__ == '__main__':
    main()
