"""AWS Private CA certificate authorities."""

from __future__ import annotations

from maptag.resources.schema import Listing, PerResource, ResourceType, pairs, skip

CERTIFICATE_AUTHORITY = ResourceType(
    name="acm-pca:certificate-authority",
    service="acm-pca",
    listing=Listing("list_certificate_authorities", "CertificateAuthorities[]", 1000),
    id="Arn",
    arn="Arn",
    iam_arn="arn:{partition}:acm-pca:{region}:{account}:certificate-authority/{id}",
    created="CreatedAt",
    # One ListTags per CA: exact and immediate (moto's GetResources does not index Private CA).
    tags=PerResource(
        "list_tags",
        request=lambda _item, arn: {"CertificateAuthorityArn": arn},
        tags=lambda response: pairs(response.get("Tags")),
        paginated=True,
        result="Tags",
    ),
    # A deleted CA stays listed (restorable) and is not billed; a failed one never ran.
    skip=skip("Status", "DELETED", "FAILED"),
    actions=("acm-pca:ListCertificateAuthorities", "acm-pca:ListTags"),
    arn_actions=("acm-pca:ListTags",),
)

TYPES = (CERTIFICATE_AUTHORITY,)
