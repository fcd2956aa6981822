//! The facade table: every facade this client speaks, one row each, from the facade's own
//! module (Go's `api/facadeversions.go`). Negotiation of a generic call uses it; a new
//! facade module adds its row here and nowhere else below the handles.

use crate::caller::{Facade, Serves};
use crate::redact::Redaction;

/// Every facade this client knows: those with a module of their own, and those it knows
/// only the versions of (for generic calls, traced under [`Redaction::GENERIC`]).
pub(crate) const TABLE: &[&Facade] = &[
    &GENERIC_CLOUD,
    &GENERIC_CONTROLLER,
    &crate::modelconfig::FACADE,
    &crate::modelmanager::FACADE,
    &crate::pinger::FACADE,
    &crate::secretbackends::FACADE,
    &crate::secrets::FACADE,
    &GENERIC_USER_MANAGER,
];

const GENERIC_CLOUD: Facade = Facade {
    name: "Cloud",
    versions: &[7],
    serves: Serves::Controller,
    redaction: &Redaction::GENERIC,
};

const GENERIC_CONTROLLER: Facade = Facade {
    name: "Controller",
    versions: &[11, 12],
    serves: Serves::Controller,
    redaction: &Redaction::GENERIC,
};

const GENERIC_USER_MANAGER: Facade = Facade {
    name: "UserManager",
    versions: &[3],
    serves: Serves::Controller,
    redaction: &Redaction::GENERIC,
};

/// The facades this client speaks, with the versions it knows: the table facade
/// negotiation uses (Go's `api/facadeversions.go`), as name → versions.
pub const CLIENT_FACADES: &[(&str, &[u32])] = &table_rows::<{ TABLE.len() }>();

const fn table_rows<const N: usize>() -> [(&'static str, &'static [u32]); N] {
    let mut rows: [(&'static str, &'static [u32]); N] = [("", &[]); N];
    let mut i = 0;
    while i < N {
        rows[i] = (TABLE[i].name, TABLE[i].versions);
        i += 1;
    }
    rows
}

/// The versions this client speaks of the facade called `name`, if it knows it.
pub(crate) fn client_versions(name: &str) -> Option<&'static [u32]> {
    TABLE.iter().find(|f| f.name == name).map(|f| f.versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_facade_in_name_order() {
        let names: Vec<&str> = TABLE.iter().map(|f| f.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        assert_eq!(CLIENT_FACADES.len(), TABLE.len());
        assert_eq!(client_versions("ModelManager"), Some(&[9, 10, 11][..]));
    }
}
