"""The CDK app: the scanner stack and the member-account role stack (design.md, "Deployed shape")."""
