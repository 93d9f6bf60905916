//! What the owner portal reads of billing: a unit's charges, payments and receipts.
