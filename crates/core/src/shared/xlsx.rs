//! Spreadsheet helpers every module's imports and exports share (rust_xlsxwriter to write,
//! calamine to read): header rows, column widths, cell text.
