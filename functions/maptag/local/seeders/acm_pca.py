"""AWS Private CA certificate authorities."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def certificate_authority(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("acm-pca").create_certificate_authority(
        CertificateAuthorityConfiguration={
            "KeyAlgorithm": "RSA_2048",
            "SigningAlgorithm": "SHA256WITHRSA",
            "Subject": {"CommonName": f"{name}.example.com"},
        },
        CertificateAuthorityType="ROOT",
        IdempotencyToken=name[:36],
        **tag_list(tags),
    )
    return str(made["CertificateAuthorityArn"])


SEEDERS: dict[str, Seeder] = {"acm-pca:certificate-authority": certificate_authority}
