//! Which type changes convert the values on their own, and how the others are written.
//!
//! PostgreSQL's `ALTER COLUMN ... TYPE` converts existing values with the assignment cast from
//! the old type to the new one, and refuses the change when there is none ("column cannot be
//! cast automatically to type integer"), whether the table holds rows or not. The casts below
//! are PostgreSQL's own (`pg_cast` with `castcontext` `i` or `a`, plus conversion to a string
//! type, which every type has); anything else needs a `USING` expression, which autogenerate
//! writes as a cast the backend understands ([`crate::ops::ColumnChange::cast`]): PostgreSQL's
//! explicit cast where it has one, else through `text`, whose input function every type has;
//! on SQLite, `CAST(col AS type)` in the table's rebuild.

use crate::schema::ColumnType;

/// Whether PostgreSQL converts values of `old` to `new` by itself (an implicit or assignment
/// cast), so that a type change needs no `USING`.
pub fn converts_by_itself(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType::*;
    let same_kind = |a: &ColumnType, b: &ColumnType| {
        std::mem::discriminant(a) == std::mem::discriminant(b)
    };
    let number = |t: &ColumnType| matches!(t, SmallInt | Integer | BigInt | Real | Double | Numeric(_));
    let string = |t: &ColumnType| matches!(t, Varchar(_) | Char(_) | Text);
    let datetime = |t: &ColumnType| matches!(t, Date | Timestamp | TimestampTz);
    match (old, new) {
        (Enum(a), Enum(b)) => a == b,
        (Other(a), Other(b)) => a == b,
        (Array(a), Array(b)) => converts_by_itself(a, b),
        (Array(_), _) | (_, Array(_)) => string(new),
        _ if same_kind(old, new) => true,
        // Every type has an assignment conversion to a string type.
        _ if string(new) => true,
        _ if number(old) && number(new) => true,
        _ if datetime(old) && datetime(new) => true,
        (Timestamp | TimestampTz | Interval, Time) | (Time, Interval) => true,
        (Json, Jsonb) | (Jsonb, Json) => true,
        _ => false,
    }
}

/// Whether PostgreSQL has an explicit cast from `old` to `new` (else a value goes through
/// `text`).
pub fn explicit_cast(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType::*;
    let number = |t: &ColumnType| matches!(t, SmallInt | Integer | Real | Double | Numeric(_));
    matches!((old, new), (Boolean, Integer) | (Integer, Boolean))
        || (*old == Jsonb && (number(new) || *new == BigInt || *new == Boolean))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType as T;

    #[test]
    fn postgresql_converts_within_families_and_to_strings_only() {
        for (old, new) in [
            (T::Integer, T::BigInt),
            (T::BigInt, T::SmallInt),
            (T::Double, T::Numeric(Some((10, 2)))),
            (T::Varchar(Some(10)), T::Text),
            (T::Integer, T::Varchar(None)),
            (T::Boolean, T::Text),
            (T::Timestamp, T::TimestampTz),
            (T::TimestampTz, T::Date),
            (T::Json, T::Jsonb),
            (T::Array(Box::new(T::Integer)), T::Array(Box::new(T::BigInt))),
            (T::Enum("mood".into()), T::Text),
        ] {
            assert!(converts_by_itself(&old, &new), "{old:?} -> {new:?}");
        }
        for (old, new) in [
            (T::Varchar(None), T::Integer),
            (T::Text, T::Boolean),
            (T::Numeric(None), T::Timestamp),
            (T::Integer, T::Boolean),
            (T::Text, T::Enum("mood".into())),
            (T::Enum("a".into()), T::Enum("b".into())),
            (T::Text, T::Uuid),
            (T::Array(Box::new(T::Text)), T::Array(Box::new(T::Integer))),
            (T::Date, T::Time),
        ] {
            assert!(!converts_by_itself(&old, &new), "{old:?} -> {new:?}");
        }
        assert!(explicit_cast(&T::Integer, &T::Boolean));
        assert!(!explicit_cast(&T::Numeric(None), &T::Timestamp));
    }
}
