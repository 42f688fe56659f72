//! What the model derives need of a field's type: the conversions between the columns of an
//! application's struct and the framework's records. Generated code names these traits; their
//! names appear in the compile errors for a field of the wrong type. Not API.

use crate::model::{CodeChallengeMethod, GrantType};
use crate::scope::Scope;
use crate::secret::SecretHash;
use crate::store::StorageError;

/// A field holding required text (a client id).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold this #[oauth] field",
    label = "use `String` here",
    note = "this field must always have a value"
)]
pub trait RequiredText {
    /// The text.
    fn text(&self) -> &str;
}

impl RequiredText for String {
    fn text(&self) -> &str {
        self
    }
}

impl RequiredText for Box<str> {
    fn text(&self) -> &str {
        self
    }
}

/// A field holding optional text (an empty string counts as absent).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold this #[oauth] field",
    label = "use `String` or `Option<String>` here"
)]
pub trait OptionalText {
    /// The text, if any.
    fn text(&self) -> Option<&str>;
}

impl OptionalText for String {
    fn text(&self) -> Option<&str> {
        (!self.is_empty()).then_some(self.as_str())
    }
}

impl OptionalText for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref().filter(|s| !s.is_empty())
    }
}

/// A field holding a list: `Vec<String>`, or text with a JSON array or space/comma-separated
/// values.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a list for this #[oauth] field",
    label = "use `Vec<String>`, `String` (space-separated or a JSON array) or `Option<String>`"
)]
pub trait ListField {
    /// The values.
    fn list(&self) -> Vec<String>;
}

impl ListField for Vec<String> {
    fn list(&self) -> Vec<String> {
        self.clone()
    }
}

impl ListField for String {
    fn list(&self) -> Vec<String> {
        parse_list(self)
    }
}

impl ListField for Option<String> {
    fn list(&self) -> Vec<String> {
        self.as_deref().map(parse_list).unwrap_or_default()
    }
}

impl ListField for Option<Vec<String>> {
    fn list(&self) -> Vec<String> {
        self.clone().unwrap_or_default()
    }
}

/// Parses a JSON array of strings, or values separated by spaces or commas.
pub fn parse_list(text: &str) -> Vec<String> {
    let trimmed = text.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(trimmed).unwrap_or_default();
    }
    trimmed
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A field holding a resource owner's id: text or an integer key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a resource owner id",
    label = "use `String`, `i64` or `i32` here"
)]
pub trait IdColumn: Sized {
    /// The id as text.
    fn to_id(&self) -> String;
    /// The column value for a textual id; `None` when it cannot be one (no such owner).
    fn from_id(id: &str) -> Option<Self>;
}

impl IdColumn for String {
    fn to_id(&self) -> String {
        self.clone()
    }
    fn from_id(id: &str) -> Option<Self> {
        Some(id.to_owned())
    }
}

impl IdColumn for i64 {
    fn to_id(&self) -> String {
        self.to_string()
    }
    fn from_id(id: &str) -> Option<Self> {
        // Only the canonical form: "007" or "+7" is not the id "7" a token recorded.
        id.parse().ok().filter(|n: &i64| n.to_string() == id)
    }
}

impl IdColumn for i32 {
    fn to_id(&self) -> String {
        self.to_string()
    }
    fn from_id(id: &str) -> Option<Self> {
        id.parse().ok().filter(|n: &i32| n.to_string() == id)
    }
}

/// A database column that holds a record field of type `T`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold this #[oauth] field of type `{T}`",
    label = "unsupported column type",
    note = "digests: String (hex), Vec<u8> or [u8; 32]; times and lifetimes: i64 or u64; flags: bool, i64 or i32; text: String; an audience: String, Option<String> or Vec<String>; optional values: Option<…>"
)]
pub trait Column<T>: Sized {
    /// Reads the record value.
    fn to_record(&self) -> Result<T, StorageError>;
    /// Writes the record value.
    fn from_record(value: &T) -> Self;
}

fn corrupt(what: &str) -> StorageError {
    StorageError::new(format!("stored {what} is malformed"))
}

impl Column<SecretHash> for String {
    fn to_record(&self) -> Result<SecretHash, StorageError> {
        SecretHash::from_hex(self).ok_or_else(|| corrupt("digest"))
    }
    fn from_record(value: &SecretHash) -> Self {
        value.to_hex()
    }
}

impl Column<SecretHash> for Vec<u8> {
    fn to_record(&self) -> Result<SecretHash, StorageError> {
        <[u8; 32]>::try_from(self.as_slice())
            .map(SecretHash::from_bytes)
            .map_err(|_| corrupt("digest"))
    }
    fn from_record(value: &SecretHash) -> Self {
        value.as_bytes().to_vec()
    }
}

impl Column<SecretHash> for [u8; 32] {
    fn to_record(&self) -> Result<SecretHash, StorageError> {
        Ok(SecretHash::from_bytes(*self))
    }
    fn from_record(value: &SecretHash) -> Self {
        *value.as_bytes()
    }
}

impl<C: Column<T>, T> Column<Option<T>> for Option<C> {
    fn to_record(&self) -> Result<Option<T>, StorageError> {
        self.as_ref().map(C::to_record).transpose()
    }
    fn from_record(value: &Option<T>) -> Self {
        value.as_ref().map(C::from_record)
    }
}

impl Column<String> for String {
    fn to_record(&self) -> Result<String, StorageError> {
        Ok(self.clone())
    }
    fn from_record(value: &String) -> Self {
        value.clone()
    }
}

/// An audience (RFC 8707 resource URIs, which hold no spaces) as space-separated text; empty
/// text is no audience.
impl Column<Vec<String>> for String {
    fn to_record(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.split_ascii_whitespace().map(str::to_owned).collect())
    }
    fn from_record(value: &Vec<String>) -> Self {
        value.join(" ")
    }
}

/// An audience in a nullable text column: `NULL` is no audience.
impl Column<Vec<String>> for Option<String> {
    fn to_record(&self) -> Result<Vec<String>, StorageError> {
        self.as_deref()
            .map_or(Ok(Vec::new()), |text| text.to_owned().to_record())
    }
    fn from_record(value: &Vec<String>) -> Self {
        (!value.is_empty()).then(|| value.join(" "))
    }
}

/// An audience kept as a list.
impl Column<Vec<String>> for Vec<String> {
    fn to_record(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.clone())
    }
    fn from_record(value: &Vec<String>) -> Self {
        value.clone()
    }
}

impl Column<Scope> for String {
    fn to_record(&self) -> Result<Scope, StorageError> {
        self.parse().map_err(|_| corrupt("scope"))
    }
    fn from_record(value: &Scope) -> Self {
        value.to_string()
    }
}

impl Column<GrantType> for String {
    fn to_record(&self) -> Result<GrantType, StorageError> {
        self.parse().map_err(|_| corrupt("grant type"))
    }
    fn from_record(value: &GrantType) -> Self {
        value.as_str().to_owned()
    }
}

impl Column<CodeChallengeMethod> for String {
    fn to_record(&self) -> Result<CodeChallengeMethod, StorageError> {
        self.parse().map_err(|_| corrupt("code challenge method"))
    }
    fn from_record(value: &CodeChallengeMethod) -> Self {
        value.as_str().to_owned()
    }
}

impl Column<u64> for u64 {
    fn to_record(&self) -> Result<u64, StorageError> {
        Ok(*self)
    }
    fn from_record(value: &u64) -> Self {
        *value
    }
}

impl Column<u64> for i64 {
    fn to_record(&self) -> Result<u64, StorageError> {
        u64::try_from(*self).map_err(|_| corrupt("time"))
    }
    fn from_record(value: &u64) -> Self {
        i64::try_from(*value).unwrap_or(i64::MAX)
    }
}

impl Column<bool> for bool {
    fn to_record(&self) -> Result<bool, StorageError> {
        Ok(*self)
    }
    fn from_record(value: &bool) -> Self {
        *value
    }
}

impl Column<bool> for i64 {
    fn to_record(&self) -> Result<bool, StorageError> {
        Ok(*self != 0)
    }
    fn from_record(value: &bool) -> Self {
        i64::from(*value)
    }
}

impl Column<bool> for i32 {
    fn to_record(&self) -> Result<bool, StorageError> {
        Ok(*self != 0)
    }
    fn from_record(value: &bool) -> Self {
        i32::from(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ids_in_canonical_form_only() {
        assert_eq!(<i64 as IdColumn>::from_id("42"), Some(42));
        assert_eq!(<i64 as IdColumn>::from_id("-3"), Some(-3));
        assert_eq!(<i64 as IdColumn>::from_id("042"), None);
        assert_eq!(<i64 as IdColumn>::from_id("+42"), None);
        assert_eq!(<i64 as IdColumn>::from_id("abc"), None);
        assert_eq!(<i32 as IdColumn>::from_id("99999999999"), None);
        assert_eq!(42i64.to_id(), "42");
    }

    #[test]
    fn columns_round_trip() {
        let h = SecretHash::of("x");
        let s: String = Column::from_record(&h);
        assert_eq!(Column::<SecretHash>::to_record(&s).unwrap(), h);
        let flag: i32 = Column::from_record(&true);
        assert_eq!(
            (flag, Column::<bool>::to_record(&0i32).unwrap()),
            (1, false)
        );
        let n: i64 = Column::from_record(&5u64);
        assert_eq!(Column::<u64>::to_record(&n).unwrap(), 5);
        assert!(Column::<u64>::to_record(&-1i64).is_err());
        assert!(Column::<Scope>::to_record(&"a  b".to_owned()).is_err());
    }
}
