//! What billing reads and writes of the requests' paid services (`pending_charges`).
