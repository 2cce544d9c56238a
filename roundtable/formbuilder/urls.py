from django.urls import path

from roundtable.formbuilder import views_builder as b
from roundtable.formbuilder import views_panels as p
from roundtable.formbuilder import views_submissions as s

app_name = "formbuilder"

urlpatterns = [
    # The builder
    path("", b.definition_list, name="definition_list"),
    path("new/", b.definition_create, name="definition_create"),
    path("import/", b.definition_import, name="definition_import"),
    path("<int:pk>/", b.definition_detail, name="definition_detail"),
    path("<int:pk>/details/", b.definition_settings, name="definition_settings"),
    path("<int:pk>/sections/add/", b.section_add, name="section_add"),
    path("<int:pk>/sections/<slug:section_id>/", b.section_edit, name="section_edit"),
    path("<int:pk>/sections/<slug:section_id>/move/", b.section_move, name="section_move"),
    path("<int:pk>/sections/<slug:section_id>/remove/", b.section_remove, name="section_remove"),
    path("<int:pk>/questions/add/", b.question_add, name="question_add"),
    path("<int:pk>/questions/<slug:question_id>/", b.question_edit, name="question_edit"),
    path("<int:pk>/questions/<slug:question_id>/preview/", b.question_preview, name="question_preview"),
    path("<int:pk>/questions/<slug:question_id>/move/", b.question_move, name="question_move"),
    path("<int:pk>/questions/<slug:question_id>/remove/", b.question_remove, name="question_remove"),
    path("<int:pk>/publish/", b.definition_publish, name="definition_publish"),
    path("<int:pk>/retire/", b.definition_retire, name="definition_retire"),
    path("<int:pk>/choose/", b.definition_choose, name="definition_choose"),
    path("<int:pk>/delete/", b.definition_delete, name="definition_delete"),
    path("<int:pk>/export/", b.definition_export, name="definition_export"),
    path("panels/<int:pk>/", p.panel_forms, name="panel_forms"),
    path("versions/<int:pk>/submissions.csv", s.version_export_csv, name="version_export_csv"),
    # Filling in and reading
    path("case/<int:case_pk>/", s.case_forms, name="case_forms"),
    path("case/<int:case_pk>/start/", s.submission_start, name="submission_start"),
    path("submissions/", s.submission_search, name="submission_search"),
    path("submissions/<int:pk>/", s.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/fill/", s.submission_fill, name="submission_fill"),
    path("submissions/<int:pk>/autosave/", s.submission_autosave, name="submission_autosave"),
]
