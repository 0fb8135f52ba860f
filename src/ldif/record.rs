//! The syntax-level record model: what an LDIF file says, byte for byte, with no
//! directory knowledge. Plain values borrow the input buffer; only values that had to
//! be unfolded or base64-decoded are owned.

use std::borrow::Cow;

/// An attribute value as written: bytes (plain or base64-decoded) or a `:<` URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value<'a> {
    /// The value's bytes (`attr: text` or `attr:: base64`, decoded).
    Bytes(Cow<'a, [u8]>),
    /// A URL value (`attr:< url`): recorded, never opened.
    Url(Cow<'a, [u8]>),
}

impl<'a> Value<'a> {
    /// The bytes of a plain or decoded value, or of the URL text.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Value::Bytes(b) | Value::Url(b) => b,
        }
    }

    /// True for a `:<` URL value.
    pub fn is_url(&self) -> bool {
        matches!(self, Value::Url(_))
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
            Value::Url(b) => Value::Url(Cow::Owned(b.into_owned())),
        }
    }
}

/// One `name: value` line of a content or add record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Attribute description exactly as written (options included, case preserved).
    pub name: Cow<'a, str>,
    /// The value.
    pub value: Value<'a>,
}

/// A `control:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control<'a> {
    /// The control's OID.
    pub oid: Cow<'a, str>,
    /// Criticality (`true`/`false`; absent means false).
    pub critical: bool,
    /// The control value, if any.
    pub value: Option<Value<'a>>,
}

/// The operation of a mod-spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModOp {
    /// `add:`
    Add,
    /// `delete:`
    Delete,
    /// `replace:`
    Replace,
    /// `increment:` (RFC 4525)
    Increment,
}

impl ModOp {
    /// The keyword as written by our writer and reported by `dump`.
    pub fn as_str(self) -> &'static str {
        match self {
            ModOp::Add => "add",
            ModOp::Delete => "delete",
            ModOp::Replace => "replace",
            ModOp::Increment => "increment",
        }
    }
}

/// One mod-spec of a modify record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mod<'a> {
    /// The operation.
    pub op: ModOp,
    /// The attribute description the mod-spec names.
    pub attr: Cow<'a, str>,
    /// Its values, in file order.
    pub values: Vec<Value<'a>>,
}

/// What kind of change a change record is. ldifde's `ntdsSchema*` change types are
/// accepted as their plain equivalents; the spelling is kept in [`Record::changetype`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// `changetype: add`
    Add,
    /// `changetype: delete`
    Delete,
    /// `changetype: modify`
    Modify,
    /// `changetype: modrdn`
    ModRdn,
    /// `changetype: moddn`
    ModDn,
}

impl ChangeKind {
    /// The RFC 2849 keyword (`add`, `delete`, `modify`, `modrdn`, `moddn`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Add => "add",
            ChangeKind::Delete => "delete",
            ChangeKind::Modify => "modify",
            ChangeKind::ModRdn => "modrdn",
            ChangeKind::ModDn => "moddn",
        }
    }
}

/// The body of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    /// A content record (no changetype) or a `changetype: add` record: attributes in file order.
    Attrs(Vec<Attr<'a>>),
    /// `changetype: delete`.
    Delete,
    /// `changetype: modify`: the mod-specs in file order.
    Modify(Vec<Mod<'a>>),
    /// `changetype: modrdn` / `moddn`.
    ModDn {
        /// `newrdn:`
        newrdn: Cow<'a, [u8]>,
        /// `deleteoldrdn:` 0 or 1.
        deleteoldrdn: bool,
        /// `newsuperior:` if present.
        newsuperior: Option<Cow<'a, [u8]>>,
    },
}

/// One LDIF record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// Byte offset of the record's `dn:` line in the (decoded) input.
    pub offset: usize,
    /// 1-based physical line of the `dn:` line.
    pub line: u64,
    /// The DN's bytes (base64 decoded for `dn::`).
    pub dn: Cow<'a, [u8]>,
    /// `control:` lines.
    pub controls: Vec<Control<'a>>,
    /// The change kind, `None` for a content record.
    pub change: Option<ChangeKind>,
    /// The changetype keyword as written, lower-cased (`None` for a content record).
    pub changetype: Option<Cow<'a, str>>,
    /// The record's body.
    pub body: Body<'a>,
}

impl<'a> Record<'a> {
    /// The attributes of a content or add record (empty for other change records).
    pub fn attrs(&self) -> &[Attr<'a>] {
        match &self.body {
            Body::Attrs(a) => a,
            _ => &[],
        }
    }

    /// The DN as text when it is valid UTF-8.
    pub fn dn_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.dn).ok()
    }
}
