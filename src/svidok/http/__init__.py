"""HTTP plumbing the API and the web pages share: request dependencies, the client address, download headers."""
