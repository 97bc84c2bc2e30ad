//! `offramp.Directory`: partner providers, read from HSDS 3.0 or offramp's own format.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use offramp::providers::taxonomy::{TaxonomyError, TaxonomyMap};
use offramp::providers::{Directory, DirectoryWarning, LoadOptions, LoadSetting};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::convert::serde_to_py;
use crate::errors::{directory_error, directory_error_parts, shield, write_error};

/// How Python names a setting a directory warning points to: the loaders' keyword argument.
fn argument_name(setting: LoadSetting) -> &'static str {
    match setting {
        LoadSetting::Timezone => "timezone=",
    }
}

/// Something incomplete in a directory that did not stop it loading.
#[pyclass(module = "offramp", name = "DirectoryWarning", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyDirectoryWarning {
    inner: DirectoryWarning,
}

#[pymethods]
impl PyDirectoryWarning {
    /// The file.
    #[getter]
    fn file(&self) -> &str {
        &self.inner.file
    }

    /// The record (`service 8a2c...`, `row 4`).
    #[getter]
    fn record(&self) -> &str {
        &self.inner.record
    }

    /// The field, when one.
    #[getter]
    fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// What is incomplete or was ignored, and the argument that would settle it, if one.
    #[getter]
    fn message(&self) -> String {
        self.inner.message_naming(argument_name)
    }

    fn __str__(&self) -> String {
        self.inner.render(argument_name)
    }

    fn __repr__(&self) -> String {
        format!(
            "<offramp.DirectoryWarning {}>",
            self.inner.render(argument_name)
        )
    }
}

/// A checked directory of partner providers: organizations and services with hours,
/// eligibility, places and capacity.
#[pyclass(module = "offramp", name = "Directory", frozen)]
pub struct PyDirectory {
    pub(crate) inner: Arc<Directory>,
}

/// Load options from the Python arguments: a time zone, and a taxonomy mapping file.
fn options(
    py: Python<'_>,
    timezone: Option<String>,
    taxonomy: Option<PathBuf>,
) -> PyResult<LoadOptions> {
    let mut options = LoadOptions {
        timezone,
        ..LoadOptions::default()
    };
    if let Some(path) = taxonomy {
        let name = path.display().to_string();
        options.taxonomy = TaxonomyMap::from_file(&path).map_err(|e| match e {
            TaxonomyError::Io { message, .. } => directory_error_parts(
                py,
                &name,
                "-",
                "-",
                &format!("{name}: -: -: cannot read the taxonomy mapping: {message}"),
            ),
            e => directory_error_parts(py, &name, "-", "-", &e.to_string()),
        })?;
    }
    Ok(options)
}

impl PyDirectory {
    fn load(
        py: Python<'_>,
        result: Result<Directory, offramp::providers::DirectoryError>,
    ) -> PyResult<Self> {
        match result {
            Ok(d) => Ok(PyDirectory { inner: Arc::new(d) }),
            Err(e) => Err(directory_error(py, &e)),
        }
    }

    /// Reads a directory from a path the way the `offramp` command does.
    pub(crate) fn from_path(
        py: Python<'_>,
        path: &Path,
        timezone: Option<String>,
        taxonomy: Option<PathBuf>,
    ) -> PyResult<Self> {
        let options = options(py, timezone, taxonomy)?;
        Self::load(py, Directory::from_file_with(path, &options))
    }
}

#[pymethods]
impl PyDirectory {
    /// Reads an HSDS 3.0 directory: a JSON file, or a folder holding a tabular data package.
    ///
    /// `timezone` (IANA, such as `America/Chicago`) is used for schedules that name none;
    /// `taxonomy` is a TOML file mapping taxonomy terms to service kinds.
    #[staticmethod]
    #[pyo3(signature = (path, *, timezone = None, taxonomy = None))]
    fn from_hsds(
        py: Python<'_>,
        path: PathBuf,
        timezone: Option<String>,
        taxonomy: Option<PathBuf>,
    ) -> PyResult<Self> {
        shield(|| {
            let options = options(py, timezone, taxonomy)?;
            if path.is_dir() {
                return Self::load(py, Directory::from_datapackage(&path, &options));
            }
            let name = path.display().to_string();
            let text = offramp::providers::read_directory_file(&path)
                .map_err(|e| directory_error(py, &e))?;
            Self::load(py, Directory::from_hsds_json(&text, &name, &options))
        })
    }

    /// Reads HSDS 3.0 JSON text: one service, a list or page of services, organizations with
    /// their services, or service-at-location records.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<hsds.json>", *, timezone = None, taxonomy = None))]
    fn from_hsds_json(
        py: Python<'_>,
        text: &str,
        name: &str,
        timezone: Option<String>,
        taxonomy: Option<PathBuf>,
    ) -> PyResult<Self> {
        shield(|| {
            let options = options(py, timezone, taxonomy)?;
            Self::load(py, Directory::from_hsds_json(text, name, &options))
        })
    }

    /// Reads an HSDS 3.0 tabular data package: a folder with `datapackage.json` and CSV files.
    #[staticmethod]
    #[pyo3(signature = (path, *, timezone = None, taxonomy = None))]
    fn from_datapackage(
        py: Python<'_>,
        path: PathBuf,
        timezone: Option<String>,
        taxonomy: Option<PathBuf>,
    ) -> PyResult<Self> {
        shield(|| {
            let options = options(py, timezone, taxonomy)?;
            Self::load(py, Directory::from_datapackage(&path, &options))
        })
    }

    /// Reads offramp's own directory format from TOML text.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<directory.toml>"))]
    fn from_toml(py: Python<'_>, text: &str, name: &str) -> PyResult<Self> {
        shield(|| Self::load(py, Directory::from_toml(text, name)))
    }

    /// Reads a directory from a path as the `offramp` command does: a folder is an HSDS data
    /// package, a `.toml` file offramp's own format, anything else HSDS 3.0 JSON.
    #[staticmethod]
    #[pyo3(signature = (path, *, timezone = None, taxonomy = None))]
    fn from_file(
        py: Python<'_>,
        path: PathBuf,
        timezone: Option<String>,
        taxonomy: Option<PathBuf>,
    ) -> PyResult<Self> {
        shield(|| Self::from_path(py, &path, timezone, taxonomy))
    }

    /// The services, as dicts in offramp's directory format.
    #[getter]
    fn services<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, self.inner.services()))
    }

    /// The organizations, as dicts (`id`, `name`).
    #[getter]
    fn organizations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, self.inner.organizations()))
    }

    /// What was incomplete when the directory loaded.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        shield(|| {
            let list = PyList::empty(py);
            for w in self.inner.warnings() {
                list.append(Py::new(py, PyDirectoryWarning { inner: w.clone() })?)?;
            }
            Ok(list)
        })
    }

    /// The ids of the services, in directory order.
    #[getter]
    fn service_ids(&self) -> Vec<String> {
        self.inner.services().iter().map(|s| s.id.clone()).collect()
    }

    /// The directory as HSDS 3.0 JSON.
    fn to_hsds_json(&self) -> PyResult<String> {
        shield(|| Ok(self.inner.to_hsds_json()))
    }

    /// The directory in offramp's own format, as TOML.
    fn to_toml(&self) -> PyResult<String> {
        shield(|| self.inner.to_toml().map_err(write_error))
    }

    fn __len__(&self) -> usize {
        self.inner.services().len()
    }

    /// Pickles as offramp's own TOML format (so a directory can go to another process or a
    /// Dask worker); the load warnings of the original file are not carried.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        shield(|| {
            let ctor = py.get_type::<PyDirectory>().getattr("from_toml")?;
            let toml = slf.get().inner.to_toml().map_err(write_error)?;
            let args = (toml, "<pickled directory>").into_pyobject(py)?;
            PyTuple::new(py, [ctor, args.into_any()])
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<offramp.Directory {} services, {} organizations>",
            self.inner.services().len(),
            self.inner.organizations().len()
        )
    }
}
