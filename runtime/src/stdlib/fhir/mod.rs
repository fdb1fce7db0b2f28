//! FHIR R4 resources for `std::fhir`: a [`Resource`] is a JSON object
//! with a `resourceType`, read with the FHIRPath subset of [`path`].

pub mod path;

use crate::stdlib::json::{self, Json};

/// A FHIR resource (JSON underneath; cloning shares it).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    json: Json,
}

impl Resource {
    /// A resource from JSON text.
    ///
    /// # Errors
    ///
    /// When the text is not JSON, or not an object with a string
    /// `resourceType`.
    pub fn parse(text: &str) -> Result<Resource, String> {
        let json = json::parse(text).map_err(|e| format!("not JSON: {e}"))?;
        Resource::from_json(json)
    }

    /// # Errors
    ///
    /// When `json` is not an object with a string `resourceType`.
    pub fn from_json(json: Json) -> Result<Resource, String> {
        match json.get("resourceType") {
            Some(Json::Str(t)) if !t.is_empty() => Ok(Resource { json }),
            Some(_) => Err("`resourceType` is not a resource type name".to_string()),
            None if json.as_object().is_some() => {
                Err("not a FHIR resource: the object has no `resourceType`".to_string())
            }
            None => Err(format!(
                "not a FHIR resource: JSON {} where an object belongs",
                json.kind()
            )),
        }
    }

    pub fn resource_type(&self) -> &str {
        self.json
            .get("resourceType")
            .and_then(Json::as_str)
            .unwrap_or_default()
    }

    pub fn json(&self) -> &Json {
        &self.json
    }

    /// The resources of a Bundle's entries (`entry[].resource`), in order;
    /// nothing for another resource.
    pub fn entries(&self) -> Vec<Resource> {
        let Some(entries) = self.json.get("entry").and_then(Json::as_array) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| e.get("resource"))
            .filter_map(|r| Resource::from_json(r.clone()).ok())
            .collect()
    }

    /// Evaluates a FHIRPath expression: its whole result collection.
    ///
    /// # Errors
    ///
    /// When the expression is not in the subset or cannot be evaluated.
    pub fn select(&self, expr: &str) -> Result<Vec<Json>, path::PathError> {
        let e = path::parse(expr)?;
        path::evaluate(&e, &self.json)
    }
}
