"""The README's settings table is the Settings fields: names, env vars, defaults, descriptions."""

from pathlib import Path

from qa.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def settings_table() -> str:
    """The table as the README shows it (run this to regenerate it after changing a setting)."""
    rows = ["| setting | env | default | what |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = (
            "–" if default is None else f"`{default.as_posix() if isinstance(default, Path) else default}`"
        )
        rows.append(f"| {name} | QA_{name.upper()} | {shown} | {field.description} |")
    return "\n".join(rows)


def test_the_readme_settings_table_matches_the_settings() -> None:
    assert settings_table() in README.read_text(), (
        "README's settings table is out of date; paste in the output of "
        "python -c 'import tests.test_readme as t; print(t.settings_table())'"
    )
