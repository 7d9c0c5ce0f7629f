"""The CDK app: the scanner stack and the member-account role stack (docs/contracts.md, "Deployed shape")."""
