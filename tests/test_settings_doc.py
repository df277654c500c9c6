"""The README's settings table is the user's reference: every setting, its variable and default."""

from pathlib import Path

from pydantic import SecretStr

from qa.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_settings_table_lists_every_setting_with_its_default() -> None:
    rows = {
        line.split(" | ")[0].removeprefix("| "): line
        for line in README.read_text().splitlines()
        if line.startswith("| ") and " | QA_" in line
    }
    for name, field in Settings.model_fields.items():
        assert name in rows, f"README settings table lacks {name}"
        row = rows[name]
        assert f"| QA_{name.upper()} |" in row
        default = field.default
        if default is not None and not isinstance(default, SecretStr):
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            assert f"`{shown}`" in row, f"README shows the wrong default for {name}: {row}"
        assert field.description and field.description in row, f"README description of {name} is stale"
