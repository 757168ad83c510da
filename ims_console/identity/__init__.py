"""Who acts: accounts, projects and memberships, the request's tenant and Caller, sign-in (the console's users or
the cloud's through Keystone), the project lookup account, My Credentials."""
