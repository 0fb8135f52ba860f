#!/usr/bin/env python3
"""Writes the CSV input fixtures of this directory (see README.md). Deterministic:
running it again rewrites the same bytes."""
import base64, csv, io, os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "DC=contoso,DC=local"
STAFF = "OU=Staff,OU=Contoso," + BASE
SALES = "OU=Sales," + STAFF
IT = "OU=IT," + STAFF
GROUPS = "OU=Groups,OU=Contoso," + BASE
CONTACTS = "OU=Contacts,OU=Contoso," + BASE

X400 = "X400:c=US;a= ;p=Contoso;o=Exchange;s=User;g=Legacy;"

def guid(n):
    return bytes((n * 37 + i * 11) % 256 for i in range(16))

# (dn, class chain, attrs) — attrs values are lists.
OBJECTS = []

def user(n, dn, cn, given, sn, sam, upn, mail=None, proxies=(), display=None, cert=False, desc=None, uac="512"):
    a = {
        "cn": [cn], "displayName": [display or cn], "givenName": [given] if given else [],
        "sn": [sn] if sn else [], "sAMAccountName": [sam], "userPrincipalName": [upn] if upn else [],
        "mail": [mail] if mail else [], "mailNickname": [sam] if mail else [],
        "proxyAddresses": list(proxies), "userAccountControl": [uac],
        "objectGUID": [guid(n)], "description": [desc] if desc else [],
        "userCertificate": [bytes([0x30, 0x82, n, 0x0a, 0xff])] if cert else [],
    }
    OBJECTS.append((dn, ["top", "person", "organizationalPerson", "user"], a))

user(1, f"CN=John Smith,{SALES}", "John Smith", "John", "Smith", "jsmith", "john.smith@contoso.com",
     "john.smith@contoso.com", ["SMTP:john.smith@contoso.com", "smtp:jsmith@contoso.local"], cert=True,
     desc="Sales lead")
user(2, f"CN=Jörg Müller,{SALES}", "Jörg Müller", "Jörg", "Müller", "jmueller", "joerg.mueller@contoso.com",
     "joerg.mueller@contoso.com", ["SMTP:joerg.mueller@contoso.com", "smtp:jörg@contoso.com"])
user(3, f"CN=Ana García,{SALES}", "Ana García", "Ana", "García", "agarcia", "ana.garcia@contoso.com",
     "ana.garcia@contoso.com", ["SMTP:ana.garcia@contoso.com"])
user(4, f"CN=Smith\\, Jane,{SALES}", "Smith, Jane", "Jane", "Smith", "jasmith", "jane.smith@contoso.com",
     "jane.smith@contoso.com", ["SMTP:jane.smith@contoso.com"], display="Smith, Jane")
user(5, f"CN=Legacy User,{IT}", "Legacy User", "Legacy", "User", "luser", "legacy.user@contoso.com",
     "legacy.user@contoso.com", ["SMTP:legacy.user@contoso.com", X400, "smtp:legacy@contoso.local"])
user(6, f"CN=Bad Upn,{IT}", "Bad Upn", "Bad", "Upn", "badupn", "bad upn@contoso.local")
user(7, f"CN=No Mail,{IT}", "No Mail", "No", "Mail", "nomail", "no.mail@contoso.com")
user(8, f"CN=John Smith2,{IT}", "John Smith2", "John", "Smith", "jsmith2", "jsmith2@contoso.com",
     "jsmith2@contoso.com", ["SMTP:jsmith2@contoso.com", "smtp:john.smith@contoso.com"])
user(9, f"CN=svc-backup,{IT}", "svc-backup", None, None, "svc-backup", None, uac="66048",
     desc="Backup service")
user(10, f"CN=Zoë Ng,{IT}", "Zoë Ng", "Zoë", "Ng", "zng", "zoe.ng@contoso.com", "zoë.ng@contoso.com",
     ["SMTP:zoë.ng@contoso.com"], cert=True)
user(11, f"CN=Paul O'Brien,{SALES}", "Paul O'Brien", "Paul", "O'Brien", "pobrien", "paul.o'brien@contoso.com",
     "paul.obrien@contoso.com", ["SMTP:paul.obrien@contoso.com"], display='Paul "PJ" O\'Brien')
OBJECTS.append((f"CN=Sales Team,{GROUPS}", ["top", "group"], {
    "cn": ["Sales Team"], "displayName": ["Sales Team"], "sAMAccountName": ["Sales Team"],
    "groupType": ["8"], "mail": ["sales@contoso.com"], "mailNickname": ["sales"],
    "proxyAddresses": ["SMTP:sales@contoso.com", "smtp:sales@contoso.local"],
    "member": [f"CN=John Smith,{SALES}", f"CN=Smith\\, Jane,{SALES}", f"CN=Ana García,{SALES}"],
    "objectGUID": [guid(12)],
}))
OBJECTS.append((f"CN=IT Admins,{GROUPS}", ["top", "group"], {
    "cn": ["IT Admins"], "sAMAccountName": ["IT Admins"], "groupType": ["-2147483646"],
    "member": [f"CN=Legacy User,{IT}", f"CN=No Mail,{IT}"], "objectGUID": [guid(13)],
}))
OBJECTS.append((f"CN=Partner Contact,{CONTACTS}", ["top", "person", "organizationalPerson", "contact"], {
    "cn": ["Partner Contact"], "displayName": ["Partner Contact"], "givenName": ["Partner"], "sn": ["Contact"],
    "mail": ["partner@fabrikam.com"], "mailNickname": ["partner"], "targetAddress": ["SMTP:partner@fabrikam.com"],
    "proxyAddresses": ["SMTP:partner@fabrikam.com"], "objectGUID": [guid(14)],
}))
OBJECTS.append((f"CN=Vendor\\, Bob,{CONTACTS}", ["top", "person", "organizationalPerson", "contact"], {
    "cn": ["Vendor, Bob"], "displayName": ["Vendor, Bob"], "givenName": ["Bob"], "sn": ["Vendor"],
    "mail": ["bob@vendor.example"], "targetAddress": ["SMTP:bob@vendor.example"], "objectGUID": [guid(15)],
}))

CSVDE_COLS = ["objectClass", "cn", "displayName", "givenName", "sn", "sAMAccountName", "userPrincipalName",
              "mail", "mailNickname", "proxyAddresses", "targetAddress", "groupType", "member",
              "userAccountControl", "description", "objectGUID", "userCertificate"]

def csvde_field(vals):
    out = []
    for v in vals:
        out.append("X'" + v.hex() + "'" if isinstance(v, bytes) else v)
    return ";".join(out)

def csvde_text():
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["DN"] + CSVDE_COLS)
    for dn, classes, a in OBJECTS:
        row = [dn]
        for c in CSVDE_COLS:
            row.append(classes[-1] if c == "objectClass" else csvde_field(a.get(c, [])))
        w.writerow(row)
    # csvde quotes the DN always.
    lines = buf.getvalue().split("\r\n")
    fixed = [lines[0]]
    for l in lines[1:]:
        if l and not l.startswith('"'):
            dn, rest = l.split(",", 1)
            l = '"' + dn + '",' + rest
        fixed.append(l)
    return "\r\n".join(fixed)

def ldif_safe(b):
    return b and b[0:1] not in (b" ", b":", b"<") and not b.endswith(b" ") and all(0x20 <= c <= 0x7e for c in b)

def ldif_line(name, v):
    b = v if isinstance(v, bytes) else v.encode()
    if ldif_safe(b):
        return f"{name}: {b.decode()}"
    return f"{name}:: {base64.b64encode(b).decode()}"

def ldif_text():
    out = []
    for dn, classes, a in OBJECTS:
        out.append("")
        out.append(ldif_line("dn", dn))
        out.append("changetype: add")
        for c in classes:
            out.append(f"objectClass: {c}")
        for c in CSVDE_COLS[1:]:
            for v in a.get(c, []):
                out.append(ldif_line(c, v))
    return "\r\n".join(out) + "\r\n"

def users():
    return [(dn, a) for dn, cl, a in OBJECTS if cl[-1] == "user"]

def pwsh51_bytes():
    # Get-ADUser -Filter * -Properties DisplayName,mail | Export-Csv users.csv -Encoding Default
    cols = ["DistinguishedName", "DisplayName", "Enabled", "GivenName", "mail", "Name", "ObjectClass",
            "ObjectGUID", "SamAccountName", "SID", "Surname", "UserPrincipalName"]
    lines = ["#TYPE Microsoft.ActiveDirectory.Management.ADUser", ",".join(f'"{c}"' for c in cols)]
    for i, (dn, a) in enumerate(users()):
        g = a["objectGUID"][0].hex()
        guid_s = f"{g[0:8]}-{g[8:12]}-{g[12:16]}-{g[16:20]}-{g[20:32]}"
        first = lambda k: a[k][0] if a.get(k) else ""
        vals = [dn, first("displayName"), "False" if first("userAccountControl") == "514" else "True",
                first("givenName"), first("mail"), first("cn"), "user", guid_s, first("sAMAccountName"),
                f"S-1-5-21-1004336348-1177238915-682003330-{1100 + i}", first("sn"), first("userPrincipalName")]
        lines.append(",".join('"' + v.replace('"', '""') + '"' if v != "" else "" for v in vals))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")

def pwsh7_text():
    # Get-ADUser -Filter * -Properties proxyAddresses,mail,DisplayName |
    #   Select-Object DistinguishedName,UserPrincipalName,SamAccountName,GivenName,Surname,DisplayName,mail,
    #     @{n='ProxyAddresses';e={$_.proxyAddresses -join ';'}} | Export-Csv users.csv -UseCulture   (de-DE)
    cols = ["DistinguishedName", "UserPrincipalName", "SamAccountName", "GivenName", "Surname", "DisplayName",
            "mail", "ProxyAddresses"]
    keys = [None, "userPrincipalName", "sAMAccountName", "givenName", "sn", "displayName", "mail", "proxyAddresses"]
    lines = [";".join(f'"{c}"' for c in cols)]
    for dn, a in users():
        vals = [dn] + [";".join(a.get(k, [])) for k in keys[1:]]
        lines.append(";".join('"' + v.replace('"', '""') + '"' for v in vals))
    return "\n".join(lines) + "\n"

def pwsh_collection_text():
    # Get-ADUser -Filter * -Properties proxyAddresses,mail | Export-Csv users.csv -NoTypeInformation
    cols = ["DistinguishedName", "Enabled", "GivenName", "mail", "Name", "ObjectClass", "ProxyAddresses",
            "SamAccountName", "Surname", "UserPrincipalName"]
    lines = [",".join(f'"{c}"' for c in cols)]
    for dn, a in users()[:3]:
        first = lambda k: a[k][0] if a.get(k) else ""
        vals = [dn, "True", first("givenName"), first("mail"), first("cn"), "user",
                "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection", first("sAMAccountName"),
                first("sn"), first("userPrincipalName")]
        lines.append(",".join('"' + v.replace('"', '""') + '"' for v in vals))
    return "\r\n".join(lines) + "\r\n"

def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)

write("contoso-csvde.csv", csvde_text().encode("utf-8"))
write("contoso-csvde-u.csv", b"\xff\xfe" + csvde_text().encode("utf-16-le"))
write("contoso-csvde.ldf", ldif_text().encode("utf-8"))
write("pwsh51-aduser.csv", pwsh51_bytes())
write("pwsh7-semicolon.csv", pwsh7_text().encode("utf-8"))
write("pwsh-collection.csv", pwsh_collection_text().encode("utf-8"))
