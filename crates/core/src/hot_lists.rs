//! Every module's hot lists, for the plan test (`db::plans`): a module that adds a list its
//! users page through many times a day (patrols, parcels) adds it to its store's `hot_lists`.

use crate::db::Backend;
use crate::db::plans::{HotList, Sample};

pub fn all(s: &Sample, b: Backend) -> Vec<HotList> {
    let mut v = crate::tickets::store::hot_lists(s, b);
    v.extend(crate::billing::store::hot_lists(s, b));
    v.extend(crate::registry::store::hot_lists(s));
    v
}
