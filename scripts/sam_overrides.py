"""Print a stack's `parameter_overrides` for one samconfig environment, so `make deploy-*` can add
the admin's email without replacing the environment's own overrides."""

import sys
import tomllib
from pathlib import Path


def main() -> None:
    folder, environment = sys.argv[1], sys.argv[2]
    config = tomllib.loads((Path(folder) / "samconfig.toml").read_text(encoding="utf-8"))
    section = config.get(environment, {}).get("deploy", {}).get("parameters", {})
    if "parameter_overrides" not in section:
        sys.exit(f"{folder}/samconfig.toml has no [{environment}.deploy.parameters]")
    words = section["parameter_overrides"].split()
    kept = (w for w in words if not w.startswith(("AdminEmail=", "OpsEmail=")))
    sys.stdout.write(" ".join(kept) + "\n")


if __name__ == "__main__":
    main()
