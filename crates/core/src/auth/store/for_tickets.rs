//! What service requests read of accounts: the users of a community who hold a permission (the
//! technicians a request may go to, the managers an escalation reaches).
