//! Integration tests for signet-pdf: every signed output goes through pyHanko, pdfsig and
//! qpdf, and seals are checked on pages rendered by pdftoppm. Missing tools fail the tests.

mod errors;
mod inspect;
mod locate;
mod placement;
mod signing;
mod support;
mod templates;
