//! `bosun import nauta|deepops`: fixtures written from each project's documented formats.

mod support;
