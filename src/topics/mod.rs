//! Topic taxonomy and provision classification (being written).
