//! What the owner portal reads of service requests: an owner's own requests and their timeline.
