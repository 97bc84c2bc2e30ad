"""Issue 10: a long flat rule crashed the interpreter.

``Program.from_toml`` and ``offramp.check`` on a rule of 10,000 ``or`` overflowed the stack and
killed the process with a segfault, which no ``try`` can catch. Each case runs in a child
interpreter, so a regression fails this test instead of ending the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HEADER = """[program]
id = "flat"
jurisdiction = "X"
timezone = "UTC"

[[pathways]]
pathway = "self_referral"
"""


def program(when: str) -> str:
    return HEADER + f'[[pathways.rules]]\nid = "long"\nwhen = "{when}"\n'


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_rule_of_ten_thousand_ors_loads(tmp_path: Path) -> None:
    path = tmp_path / "flat.toml"
    path.write_text(program(" or ".join(["age > 1"] * 10_000)))
    done = run(
        f"""
        import offramp
        from pathlib import Path
        text = Path({str(path)!r}).read_text()
        program = offramp.Program.from_toml(text, "flat.toml")
        assert program.rule_count == 1
        assert offramp.check({str(path)!r}) == []
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_an_and_chain_of_fifty_thousand_loads(tmp_path: Path) -> None:
    path = tmp_path / "and.toml"
    path.write_text(program(" and ".join(["age > 1"] * 50_000)))
    done = run(
        f"""
        import offramp
        assert offramp.check({str(path)!r}) == []
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_deep_nesting_is_an_error_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(program("(" * 10_000 + "age > 1" + ")" * 10_000))
    done = run(
        f"""
        import offramp
        [d] = offramp.check({str(path)!r})
        print(d.line, d.column, d.message)
        """
    )
    assert done.returncode == 0, done.stderr
    line, column, message = done.stdout.strip().split(" ", 2)
    assert (int(line), int(column)) == (10, 73)
    assert "nests more than 64 levels deep" in message
