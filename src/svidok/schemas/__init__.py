"""Input shapes shared by the API, the CLI and the web forms (validated with Pydantic)."""
