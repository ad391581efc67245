#!/usr/bin/env python3
"""Translates the AD-like LDIF `upgrade-lab generate` writes into one OpenLDAP's slapadd accepts
with the core, cosine and inetorgperson schemas: the same entries in the same order (domain ->
dcObject/organization, OUs -> organizationalUnit, users and contacts -> inetOrgPerson, groups ->
groupOfNames with the same members), each AD attribute kept under its inetOrgPerson name where
one exists (sAMAccountName and userPrincipalName -> uid, proxyAddresses -> mail, department ->
departmentNumber, extensionAttribute1 -> employeeType, ...), AD-only ones (objectGUID,
userAccountControl, uSNChanged, groupType, ...) dropped. Used by ldif_vs_slapadd.sh.

    python3 ldif_to_inetorgperson.py < ad.ldif > openldap.ldif
"""
import sys

RENAME = {
    "cn": "cn", "sn": "sn", "givenname": "givenName", "title": "title",
    "telephonenumber": "telephoneNumber", "displayname": "displayName", "l": "l",
    "mail": "mail", "description": "description", "manager": "manager", "member": "member",
    "samaccountname": "uid", "userprincipalname": "uid", "proxyaddresses": "mail",
    "department": "departmentNumber", "extensionattribute1": "employeeType",
    "extensionattribute2": "employeeNumber", "ou": "ou",
}
OBJECT_CLASSES = {
    "domaindns": ["dcObject", "organization"],
    "organizationalunit": ["organizationalUnit"],
    "user": ["inetOrgPerson"],
    "contact": ["inetOrgPerson"],
    "group": ["groupOfNames"],
}


def records(lines):
    rec = []
    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith(" ") and rec:
            rec[-1] += line[1:]
        elif line == "":
            if rec:
                yield rec
            rec = []
        elif not line.startswith("#"):
            rec.append(line)
    if rec:
        yield rec


def translate(rec):
    dn, attrs, classes = None, [], []
    for line in rec:
        name, sep, value = line.partition(":")
        key = name.split(";")[0].lower()
        if key == "dn":
            dn = line
        elif key == "objectclass":
            classes.append(value.strip().lower())
        elif key in RENAME:
            attrs.append(RENAME[key] + sep + value)
    if dn is None or dn.startswith("version"):
        return None
    kind = next((c for c in ("user", "contact", "group", "organizationalunit", "domaindns") if c in classes), None)
    if kind is None:
        return None
    out = [dn] + ["objectClass: " + c for c in OBJECT_CLASSES[kind]]
    names = {a.split(":")[0] for a in attrs}
    if kind == "domaindns":
        label = dn.split("=", 1)[1].split(",")[0]
        out += ["dc: " + label, "o: " + label]
    elif kind in ("user", "contact"):
        if "sn" not in names:
            cn = next((a for a in attrs if a.startswith("cn:")), "cn: unknown")
            attrs.append("sn" + cn[2:])
    elif kind == "group" and "member" not in names:
        attrs.append("member: " + dn.split(":", 1)[1].strip())
    if kind == "group":
        attrs = [a for a in attrs if a.split(":")[0] in ("cn", "member", "description")]
    return out + attrs


def main():
    write = sys.stdout.write
    for rec in records(sys.stdin):
        t = translate(rec)
        if t:
            write("\n".join(t) + "\n\n")


main()
