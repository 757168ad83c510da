"""What every view uses: the request type, read/write calls of the backend, dialogs, middleware, context processors."""
