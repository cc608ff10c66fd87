"""The admin API (`openapi/admin.yaml`): the operator's, behind GATEWAY_ADMIN_TOKEN."""
